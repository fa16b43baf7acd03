package dev.mirror.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkerTest {
    /** A new seed every run, shown in the test name, so random cases keep exploring; rerun a failure with it. */
    private static final long FRESH_SEED = ThreadLocalRandom.current().nextLong();
    private static final ChunkerParams SMALL = new ChunkerParams(64, 256, 1024);
    private static final ChunkerParams ODD = new ChunkerParams(100, 1024, 5000);

    static Stream<Case> randomInputs() {
        List<Case> cases = new ArrayList<>();
        for (long seed : new long[] {1, 2, 3, FRESH_SEED}) {
            cases.add(new Case("default sizes, 8 MiB of random bytes, seed " + seed, ChunkerParams.DEFAULT, 8 << 20,
                    seed));
            cases.add(new Case("64/256/1024 bytes, 256 KiB of random bytes, seed " + seed, SMALL, 256 << 10, seed));
            cases.add(new Case("100/1024/5000 bytes, 1 MiB of random bytes, seed " + seed, ODD, 1 << 20, seed));
        }
        return cases.stream();
    }

    static Stream<Case> insertions() {
        return Stream.of(1L, 2L, 3L, 4L, FRESH_SEED).map(seed ->
                new Case("default sizes, 6 MiB of random bytes, seed " + seed, ChunkerParams.DEFAULT, 6 << 20, seed));
    }

    static Stream<InvalidCase> invalidParams() {
        return Stream.of(
                new InvalidCase("an average that is not a power of two", 16384, 65535, 262144,
                        "power of two, not 65535"),
                new InvalidCase("a zero average", 16384, 0, 262144, "power of two, not 0"),
                new InvalidCase("a minimum under 64 bytes", 63, 256, 1024, "at least 64, not 63"),
                new InvalidCase("a maximum over 16 MiB", 16384, 65536, (16 << 20) + 1, "at most 16777216"),
                new InvalidCase("a minimum equal to the average", 256, 256, 1024, "minBytes < avgBytes < maxBytes"),
                new InvalidCase("a maximum equal to the average", 64, 256, 256, "minBytes < avgBytes < maxBytes"),
                new InvalidCase("a minimum above the maximum", 4096, 256, 1024, "minBytes < avgBytes < maxBytes"));
    }

    @Test
    void defaultParamsAre16And64And256KiB() {
        assertEquals(new ChunkerParams(16384, 65536, 262144), ChunkerParams.DEFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidParams")
    void invalidParamsAreRejectedWithTheReason(InvalidCase c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChunkerParams(c.minBytes(), c.avgBytes(), c.maxBytes()));
        assertTrue(e.getMessage().contains(c.message()), e.getMessage());
    }

    @Test
    void gearTableIsTheDocumentedSha256Derivation() {
        // Values quoted in docs/chunking.md, for implementers to check their own table.
        assertEquals(0x2e7dc24cf8302250L, Chunker.gear(0));
        assertEquals(0x4b3ee07f5c967b8cL, Chunker.gear(1));
        assertEquals(0xfd30a09e4fb2a78fL, Chunker.gear(255));
        for (int i = 0; i < 256; i++) {
            byte[] input = Arrays.copyOf("mirror/gear/1".getBytes(StandardCharsets.US_ASCII), 14);
            input[13] = (byte) i;
            long expected = ByteBuffer.wrap(Hash.sha256(input).toBytes()).getLong();
            assertEquals(expected, Chunker.gear(i), "gear[" + i + "]");
        }
    }

    @Test
    void defaultParamsCutThePinnedVector() {
        // If this fails the algorithm changed: peers running the old code would cut differently. See chunking.md.
        byte[] data = testVector(1 << 20);
        int[] lengths = cutLengths(new Chunker(ChunkerParams.DEFAULT), data);
        assertArrayEquals(new int[] {88166, 57946, 62896, 76476, 67959, 64167, 87379, 96125, 79963, 72591, 24075,
                90528, 48693, 74937, 56675}, lengths);
        assertEquals("058b22146fa81f7d13cfa6006f3f70a2d20279e1c909006fdda50f8fbc4b9cf6",
                Hash.sha256(Arrays.copyOf(data, lengths[0])).hex());
    }

    @Test
    void smallParamsCutThePinnedVector() {
        // Thousands of cuts, 43 of them at avgBytes or avgBytes + 1, so this pins where the mask changes.
        int[] lengths = cutLengths(new Chunker(SMALL), testVector(1 << 20));
        assertEquals(3583, lengths.length);
        assertArrayEquals(new int[] {376, 270, 278, 278, 299, 322, 275, 333, 452, 290, 315, 260, 81, 257, 286, 262},
                Arrays.copyOf(lengths, 16));
        assertEquals("00cb9f6ee93ab8bfce3e88e3489bf12eff7a1f964e35c94a04212a9e83fede6d", lengthsHash(lengths).hex());
    }

    @Test
    void zerosFindNoCutAndAreCutAtMaxBytes() {
        // A constant input gives a constant fingerprint after 64 bytes; for byte 0 it never matches.
        int[] lengths = cutLengths(new Chunker(ChunkerParams.DEFAULT), new byte[(1 << 20) + 5]);
        assertArrayEquals(new int[] {262144, 262144, 262144, 262144, 5}, lengths);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomInputs")
    void sameInputGivesSameCutsWhereverItSits(Case c) {
        byte[] data = c.randomBytes();
        int[] first = cutLengths(new Chunker(c.params()), data);
        byte[] shifted = new byte[data.length + 7];
        System.arraycopy(data, 0, shifted, 7, data.length);
        List<Integer> again = new ArrayList<>();
        Chunker other = new Chunker(c.params());
        for (int from = 7; from < shifted.length; from += again.get(again.size() - 1)) {
            again.add(other.nextCut(shifted, from, shifted.length, true));
        }
        assertArrayEquals(first, again.stream().mapToInt(Integer::intValue).toArray(), c.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomInputs")
    void chunksCoverTheInputWithinMinAndMax(Case c) {
        int[] lengths = cutLengths(new Chunker(c.params()), c.randomBytes());
        long sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            int low = i == lengths.length - 1 ? 1 : c.params().minBytes() + 1;
            assertTrue(lengths[i] >= low && lengths[i] <= c.params().maxBytes(),
                    c + ": chunk " + i + " has " + lengths[i] + " bytes");
            sum += lengths[i];
        }
        assertEquals(c.inputBytes(), sum, c.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomInputs")
    void averageChunkIsWithin30PercentOfAvgBytes(Case c) {
        // The expected mean is 1.10 to 1.14 times avgBytes (chunking.md); hundreds of chunks keep it within 5%.
        int[] lengths = cutLengths(new Chunker(c.params()), c.randomBytes());
        double ratio = (double) c.inputBytes() / lengths.length / c.params().avgBytes();
        assertTrue(ratio > 0.7 && ratio < 1.3, c + ": mean / avgBytes = " + ratio);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("insertions")
    void aByteInsertedAtTheStartChangesAtMostTheFirstTwoChunks(Case c) {
        byte[] data = c.randomBytes();
        byte[] inserted = new byte[data.length + 1];
        inserted[0] = 42;
        System.arraycopy(data, 0, inserted, 1, data.length);
        assertAtMostTwoChunksDiffer(c, data, inserted);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("insertions")
    void aByteInsertedInTheMiddleChangesAtMostTwoChunks(Case c) {
        byte[] data = c.randomBytes();
        int at = new Random(c.seed()).nextInt(data.length / 4) + data.length / 2;
        byte[] inserted = new byte[data.length + 1];
        System.arraycopy(data, 0, inserted, 0, at);
        inserted[at] = 42;
        System.arraycopy(data, at, inserted, at + 1, data.length - at);
        assertAtMostTwoChunksDiffer(c, data, inserted);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 1000, 16384, 16385})
    void inputNoLongerThanMinPlusOneIsOneChunk(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        assertArrayEquals(new int[] {size}, cutLengths(new Chunker(ChunkerParams.DEFAULT), data));
    }

    @Test
    void aCutDependsOnlyOnTheFirstMaxBytes() {
        Chunker chunker = new Chunker(SMALL);
        byte[] data = new byte[4096];
        for (long seed = 0; seed < 50; seed++) {
            new Random(seed).nextBytes(data);
            assertEquals(chunker.nextCut(data, 10, data.length, true), chunker.nextCut(data, 10, 10 + 1024, false));
        }
    }

    @Test
    void nextCutRejectsFewerThanMaxBytesBeforeTheEndOfInput() {
        Chunker chunker = new Chunker(SMALL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chunker.nextCut(new byte[2000], 1000, 2000, false));
        assertEquals("nextCut needs 1024 bytes before the end of input, got 1000; pass endOfInput = true only when"
                + " no more input follows", e.getMessage());
    }

    @Test
    void nextCutRejectsAnEmptyOrOutOfBoundsRange() {
        Chunker chunker = new Chunker(SMALL);
        byte[] data = new byte[100];
        assertThrows(IllegalArgumentException.class, () -> chunker.nextCut(data, 100, 100, true));
        assertThrows(IllegalArgumentException.class, () -> chunker.nextCut(data, -1, 50, true));
        assertThrows(IllegalArgumentException.class, () -> chunker.nextCut(data, 0, 101, true));
    }

    /** The regression input of chunking.md: SHA-256("mirror/chunk-test/1" + uint32 BE counter), concatenated. */
    static byte[] testVector(int size) {
        MessageDigest digest = Hash.newDigest();
        byte[] label = "mirror/chunk-test/1".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int counter = 0; counter * Hash.BYTES < size; counter++) {
            digest.update(label);
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(counter).array());
            byte[] block = digest.digest();
            System.arraycopy(block, 0, out, counter * Hash.BYTES, Math.min(Hash.BYTES, size - counter * Hash.BYTES));
        }
        return out;
    }

    static int[] cutLengths(Chunker chunker, byte[] data) {
        List<Integer> lengths = new ArrayList<>();
        for (int from = 0; from < data.length; from += lengths.get(lengths.size() - 1)) {
            lengths.add(chunker.nextCut(data, from, data.length, true));
        }
        return lengths.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Hash lengthsHash(int[] lengths) {
        MessageDigest digest = Hash.newDigest();
        for (int length : lengths) {
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(length).array());
        }
        return Hash.finish(digest);
    }

    /** Both inputs' chunks, minus a common prefix and suffix (by length and hash), leave at most two on each side. */
    private static void assertAtMostTwoChunksDiffer(Case c, byte[] before, byte[] after) {
        List<String> old = chunkIds(c.params(), before);
        List<String> now = chunkIds(c.params(), after);
        int prefix = 0;
        while (prefix < Math.min(old.size(), now.size()) && old.get(prefix).equals(now.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < Math.min(old.size(), now.size()) - prefix
                && old.get(old.size() - 1 - suffix).equals(now.get(now.size() - 1 - suffix))) {
            suffix++;
        }
        int changedOld = old.size() - prefix - suffix;
        int changedNew = now.size() - prefix - suffix;
        assertTrue(changedOld >= 1 && changedOld <= 2 && changedNew >= 1 && changedNew <= 2,
                c + ": of " + old.size() + " chunks, " + changedOld + " became " + changedNew);
    }

    private static List<String> chunkIds(ChunkerParams params, byte[] data) {
        List<String> ids = new ArrayList<>();
        int from = 0;
        for (int length : cutLengths(new Chunker(params), data)) {
            ids.add(length + ":" + Hash.sha256(Arrays.copyOfRange(data, from, from + length)).hex().substring(0, 16));
            from += length;
        }
        return ids;
    }

    record Case(String description, ChunkerParams params, int inputBytes, long seed) {
        byte[] randomBytes() {
            byte[] data = new byte[inputBytes];
            // java.util.Random's sequence is fixed by its specification, so a seed names the same bytes forever.
            new Random(seed).nextBytes(data);
            return data;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    record InvalidCase(String description, int minBytes, int avgBytes, int maxBytes, String message) {
        @Override
        public String toString() {
            return description;
        }
    }
}
