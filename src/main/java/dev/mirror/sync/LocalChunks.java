package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.tree.ChunkLocation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reading one chunk from the indexed file that holds it, which may have changed since it was indexed. */
final class LocalChunks {
    private LocalChunks() {
    }

    /** The bytes at {@code at} in {@code folder}, or null if the file is gone or now shorter. Not verified. */
    static byte[] read(Path folder, ChunkLocation at) throws IOException {
        byte[] data = new byte[at.length()];
        try (FileChannel file = FileChannel.open(folder.resolve(at.file().toString()), StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                if (file.read(buffer, at.offset() + buffer.position()) < 0) {
                    return null;
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return data;
    }

    /** The bytes at {@code at} if they still hash to its chunk; else null (ask the peer instead). */
    static byte[] readVerified(Path folder, ChunkLocation at) {
        try {
            byte[] data = read(folder, at);
            return data != null && Hash.sha256(data).equals(at.chunk()) ? data : null;
        } catch (IOException e) {
            return null; // unreadable here now (a symlink swapped in, a permission): the peer has it
        }
    }
}
