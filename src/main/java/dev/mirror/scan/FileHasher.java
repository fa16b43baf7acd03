package dev.mirror.scan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Reads a file into its chunk list, and proves the bytes it read are one version of the file: the stat taken
 * before reading must still hold after it, otherwise it reads again (a few times) and then gives up with
 * {@link FileChangedException}. Thread-safe: each thread reads through its own buffer.
 */
public final class FileHasher {
    /** Coarse file system timestamps tick about every 4 ms here; twenty leaves room for clock granularity. */
    private static final long RACY_WINDOW_NANOS = 20_000_000L;
    private static final int ATTEMPTS = 3;

    private final ThreadLocal<ChunkHasher> hashers;
    private final LongSupplier wallClockNanos;

    /** @param wallClockNanos nanoseconds since the epoch, the clock file timestamps are taken from */
    public FileHasher(Chunker chunker, LongSupplier wallClockNanos) {
        this.hashers = ThreadLocal.withInitial(() -> new ChunkHasher(chunker));
        this.wallClockNanos = wallClockNanos;
    }

    /**
     * Hashes {@code file}, whose stat the caller took as {@code before}.
     *
     * @throws FileChangedException if the file changed during every attempt
     * @throws IOException if it cannot be read (the message says why)
     */
    public HashedFile hash(Path file, FileStat before) throws IOException {
        FileStat expected = before;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            long startNanos = wallClockNanos.getAsLong();
            ChunkList chunks = read(file, expected.size());
            FileStat after = FileStats.read(file, before.name());
            if (after.sameAs(expected) && chunks.totalBytes() == after.size()) {
                // RACE: a write landing in the same timestamp tick as the last one before our read would leave
                // the stat unchanged; such a file is marked so the next scan reads it again.
                boolean racy = after.ctimeNanos() + RACY_WINDOW_NANOS >= startNanos
                        || after.mtimeNanos() + RACY_WINDOW_NANOS >= startNanos;
                return new HashedFile(after, chunks, racy);
            }
            expected = after;
        }
        throw new FileChangedException("changed while being read, " + ATTEMPTS + " times; will retry next scan");
    }

    /**
     * Reads at most {@code expectedBytes}: a file that grows while it is read (a log) would otherwise be read
     * forever. Growth shows in the stat taken afterwards, which sends us round again.
     */
    private ChunkList read(Path file, long expectedBytes) throws IOException {
        ChunkList.Builder builder = new ChunkList.Builder();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            hashers.get().read(new BoundedChannel(channel, expectedBytes),
                    chunk -> builder.add(chunk.length(), chunk.hash()));
        }
        return builder.build();
    }

    /** The first {@code limit} bytes of a channel, then end of input. */
    private static final class BoundedChannel implements ReadableByteChannel {
        private final ReadableByteChannel in;
        private long remaining;

        BoundedChannel(ReadableByteChannel in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int oldLimit = target.limit();
            if (target.remaining() > remaining) {
                target.limit(target.position() + (int) remaining);
            }
            try {
                int read = in.read(target);
                if (read > 0) {
                    remaining -= read;
                }
                return read;
            } finally {
                target.limit(oldLimit);
            }
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
