package dev.mirror.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.Hash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkHasherTest {
    /** A new seed every run, shown in failure messages; rerun a failure with it. */
    private static final long FRESH_SEED = ThreadLocalRandom.current().nextLong();
    private static final ChunkerParams SMALL = new ChunkerParams(64, 256, 1024);
    private static final int DEFAULT_MAX = ChunkerParams.DEFAULT.maxBytes();

    static Stream<Case> readers() {
        List<Case> cases = new ArrayList<>();
        for (long seed : new long[] {1, 2, FRESH_SEED}) {
            cases.add(new Case("default sizes, 4 MiB buffer, whole reads", ChunkerParams.DEFAULT, 3 << 20,
                    ChunkHasher.DEFAULT_BUFFER_BYTES, 0, seed));
            cases.add(new Case("default sizes, buffer of exactly maxBytes, whole reads", ChunkerParams.DEFAULT,
                    3 << 20, DEFAULT_MAX, 0, seed));
            cases.add(new Case("default sizes, buffer of maxBytes + 1, short reads", ChunkerParams.DEFAULT, 3 << 20,
                    DEFAULT_MAX + 1, 70_000, seed));
            cases.add(new Case("default sizes, 300,000-byte buffer, short reads", ChunkerParams.DEFAULT, 3 << 20,
                    300_000, 20_000, seed));
            cases.add(new Case("64/256/1024 bytes, 1024-byte buffer, short reads", SMALL, 200_000, 1024, 700, seed));
            cases.add(new Case("64/256/1024 bytes, 1500-byte buffer, reads of 1 to 3 bytes", SMALL, 20_000, 1500,
                    3, seed));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void readerCutsLikeTheChunkerOverTheWholeArrayAndHashesEachChunk(Case c) throws IOException {
        for (boolean behind : new boolean[] {false, true}) {
            readsLikeTheChunker(c, new ChunkHasher(new Chunker(c.params()), c.bufferBytes(), () -> behind));
        }
    }

    private static void readsLikeTheChunker(Case c, ChunkHasher hasher) throws IOException {
        byte[] data = new byte[c.inputBytes()];
        new Random(c.seed()).nextBytes(data);
        List<Chunk> chunks = new ArrayList<>();

        long total = hasher.read(c.channel(data), chunks::add);

        assertEquals(data.length, total, c.toString());
        int[] lengths = chunks.stream().mapToInt(Chunk::length).toArray();
        assertArrayEquals(ChunkerTest.cutLengths(new Chunker(c.params()), data), lengths, c.toString());
        long offset = 0;
        for (Chunk chunk : chunks) {
            assertEquals(offset, chunk.offset(), c.toString());
            byte[] bytes = Arrays.copyOfRange(data, (int) offset, (int) chunk.end());
            assertEquals(Hash.sha256(bytes), chunk.hash(), c + ": chunk at " + offset);
            offset = chunk.end();
        }
    }

    @Test
    void emptyInputGivesNoChunks() throws IOException {
        List<Chunk> chunks = new ArrayList<>();
        long total = new ChunkHasher(new Chunker(ChunkerParams.DEFAULT)).read(channelOf(new byte[0]), chunks::add);
        assertEquals(0, total);
        assertEquals(List.of(), chunks);
    }

    @Test
    void inputShorterThanMinIsOneChunk() throws IOException {
        byte[] data = "hello, mirror".getBytes(StandardCharsets.US_ASCII);
        List<Chunk> chunks = new ArrayList<>();
        new ChunkHasher(new Chunker(ChunkerParams.DEFAULT)).read(channelOf(data), chunks::add);
        assertEquals(List.of(new Chunk(0, data.length, Hash.sha256(data))), chunks);
    }

    @Test
    void readsAFileFromItsChannel(@TempDir Path dir) throws IOException {
        byte[] data = ChunkerTest.testVector(1 << 20);
        Path file = Files.write(dir.resolve("vector.bin"), data);
        List<Chunk> chunks = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file)) {
            new ChunkHasher(new Chunker(ChunkerParams.DEFAULT)).read(channel, chunks::add);
        }
        assertEquals(15, chunks.size());
        assertEquals("058b22146fa81f7d13cfa6006f3f70a2d20279e1c909006fdda50f8fbc4b9cf6", chunks.get(0).hash().hex());
    }

    @ParameterizedTest(name = "hashing behind: {0}")
    @ValueSource(booleans = {false, true})
    void consumerFailureStopsTheReadAndTheHasherStaysUsable(boolean behind) throws IOException {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        ChunkHasher hasher = new ChunkHasher(new Chunker(ChunkerParams.DEFAULT), DEFAULT_MAX, () -> behind);
        IOException failure = new IOException("index full");
        List<Chunk> seen = new ArrayList<>();
        IOException thrown = assertThrows(IOException.class, () -> hasher.read(channelOf(data), chunk -> {
            seen.add(chunk);
            if (seen.size() == 3) {
                throw failure;
            }
        }));
        assertSame(failure, thrown);
        assertEquals(3, seen.size());

        List<Chunk> again = new ArrayList<>();
        hasher.read(channelOf(data), again::add);
        assertEquals(seen, again.subList(0, 3));
    }

    @ParameterizedTest(name = "hashing behind: {0}")
    @ValueSource(booleans = {false, true})
    void interruptStopsTheReadAtTheNextChunkAndKeepsTheFlag(boolean behind) {
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        ChunkHasher hasher = new ChunkHasher(new Chunker(ChunkerParams.DEFAULT), DEFAULT_MAX, () -> behind);
        List<Chunk> seen = new ArrayList<>();
        try {
            InterruptedIOException e = assertThrows(InterruptedIOException.class,
                    () -> hasher.read(new ShortReadChannel(data, 100_000, new Random(11)), chunk -> {
                        seen.add(chunk);
                        if (seen.size() == 2) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            assertEquals(2, seen.size());
            assertEquals("chunking interrupted after " + seen.get(1).end() + " bytes", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void threadInterruptedBeforeTheReadLeavesTheFileChannelOpen(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("data.bin"), new byte[1000]);
        ChunkHasher hasher = new ChunkHasher(new Chunker(ChunkerParams.DEFAULT));
        try (FileChannel channel = FileChannel.open(file)) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(InterruptedIOException.class, () -> hasher.read(channel, chunk -> { }));
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
            assertTrue(channel.isOpen());
        }
    }

    @Test
    void bufferSmallerThanMaxChunkIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChunkHasher(new Chunker(ChunkerParams.DEFAULT), DEFAULT_MAX - 1));
        assertEquals("ChunkHasher bufferBytes must be at least the chunker's maxBytes (262144), not 262143",
                e.getMessage());
    }

    @Test
    void nonBlockingChannelIsRejected() throws IOException {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            source.configureBlocking(false);
            ChunkHasher hasher = new ChunkHasher(new Chunker(ChunkerParams.DEFAULT));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> hasher.read(source, chunk -> { }));
            assertTrue(e.getMessage().startsWith("ChunkHasher needs a blocking channel"), e.getMessage());
            assertTrue(sink.isOpen());
        }
    }

    @Test
    void chunkRejectsImpossibleValues() {
        Hash hash = Hash.sha256(new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new Chunk(-1, 10, hash));
        assertThrows(IllegalArgumentException.class, () -> new Chunk(0, 0, hash));
        assertThrows(NullPointerException.class, () -> new Chunk(0, 10, null));
        assertEquals(110, new Chunk(100, 10, hash).end());
    }

    private static ReadableByteChannel channelOf(byte[] data) {
        return Channels.newChannel(new ByteArrayInputStream(data));
    }

    /** How to read: params, input size, the hasher's buffer, and reads of 1..maxReadBytes (0: as much as asked). */
    record Case(String description, ChunkerParams params, int inputBytes, int bufferBytes, int maxReadBytes,
            long seed) {
        ReadableByteChannel channel(byte[] data) {
            return maxReadBytes == 0 ? channelOf(data) : new ShortReadChannel(data, maxReadBytes, new Random(~seed));
        }

        @Override
        public String toString() {
            return description + ", seed " + seed;
        }
    }

    /** A blocking channel that returns between 1 and maxReadBytes per read, as pipes and sockets may. */
    private static final class ShortReadChannel implements ReadableByteChannel {
        private final ByteBuffer source;
        private final int maxReadBytes;
        private final Random random;

        ShortReadChannel(byte[] data, int maxReadBytes, Random random) {
            this.source = ByteBuffer.wrap(data);
            this.maxReadBytes = maxReadBytes;
            this.random = random;
        }

        @Override
        public int read(ByteBuffer target) {
            if (!source.hasRemaining()) {
                return -1;
            }
            int count = Math.min(1 + random.nextInt(maxReadBytes), Math.min(source.remaining(), target.remaining()));
            target.put(source.slice().limit(count));
            source.position(source.position() + count);
            return count;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
