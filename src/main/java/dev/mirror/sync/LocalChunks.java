package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.tree.ChunkLocation;

import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reading chunks from files here that may have changed since they were written: an indexed file that holds a chunk,
 * or a part left by an earlier attempt (docs/writing.md, "Resuming"). Nothing read here is trusted before its hash
 * is checked.
 */
final class LocalChunks {
    private LocalChunks() {
    }

    /** The bytes at {@code at} if they still hash to its chunk; else null (ask the peer instead). */
    static ByteBuffer readVerified(Path folder, ChunkLocation at) {
        return readVerified(folder.resolve(at.file().toString()), at.offset(), at.length(), at.chunk());
    }

    /** The {@code length} bytes at {@code offset} in {@code file} if they hash to {@code chunk}; else null. */
    static ByteBuffer readVerified(Path file, long offset, int length, Hash chunk) {
        byte[] data = read(file, offset, length);
        return data != null && Hash.sha256(data).equals(chunk) ? ByteBuffer.wrap(data) : null;
    }

    /**
     * Which chunks of {@code chunks} {@code file} holds at their offsets, checked against their hashes; all false if
     * there is no such file. A chunk torn by a crash, or never written (a hole reads as zeros), fails its hash.
     */
    static boolean[] verified(Path file, ChunkList chunks) {
        boolean[] good = new boolean[chunks.count()];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            long offset = 0;
            for (int i = 0; i < chunks.count() && offset + chunks.length(i) <= size; i++) {
                byte[] data = readFully(channel, offset, chunks.length(i));
                good[i] = data != null && Hash.sha256(data).equals(chunks.hash(i));
                offset += chunks.length(i);
            }
        } catch (IOException e) {
            // No part (the usual case), or an unreadable one: every chunk comes from elsewhere.
        }
        return good;
    }

    /**
     * The {@code length} bytes at {@code offset} in {@code file}, unchecked; null if the file is gone, ends first,
     * or cannot be read (a symlink swapped in, a permission).
     */
    static byte[] read(Path file, long offset, int length) {
        try (Reader reader = new Reader()) {
            return reader.read(file, offset, length);
        }
    }

    /**
     * Reads chunks as {@link #read} does, keeping the last file open while the next chunk is in it too: the chunks of
     * one request are mostly consecutive chunks of one big file, and an open and a close for each 16–256 KiB chunk
     * cost more than its read. One file at a time, so a request for a thousand small files holds one descriptor.
     */
    static final class Reader implements AutoCloseable {
        private Path open;
        private FileChannel channel;

        /**
         * The {@code length} bytes at {@code offset} in {@code file}, unchecked; null if the file is gone, ends
         * first, or cannot be read.
         */
        byte[] read(Path file, long offset, int length) {
            try {
                if (!file.equals(open)) {
                    close();
                    channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                    open = file;
                }
                return readFully(channel, offset, length);
            } catch (IOException e) {
                close();
                return null;
            }
        }

        @Override
        public void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // read only: nothing was written that a failed close could lose
                }
            }
            channel = null;
            open = null;
        }
    }

    /**
     * The bytes at {@code offset}, or null if the file ends first. The array is not zeroed first where the JDK allows
     * it ({@code bin/mirror}, {@code bin/compiler-directives.json}): the read fills all of it, or it is dropped.
     */
    private static byte[] readFully(FileChannel channel, long offset, int length) throws IOException {
        byte[] data = PlatformDependent.allocateUninitializedArray(length);
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                return null;
            }
        }
        return data;
    }
}
