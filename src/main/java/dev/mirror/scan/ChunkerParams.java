package dev.mirror.scan;

/**
 * The three sizes that, with the algorithm in docs/chunking.md, decide where {@link Chunker} cuts. Two peers cut the
 * same content into the same chunks only if their parameters are equal, so these are part of what peers agree on.
 * Immutable; safe to share between threads.
 *
 * @param minBytes no chunk but the last of a file is shorter than this: the chunker does not even look at the
 *                 first {@code minBytes} of a chunk
 * @param avgBytes the target size, a power of two: a cut is looked for with a harder condition before this size
 *                 and an easier one after it, so sizes cluster around it
 * @param maxBytes a chunk that finds no cut by this size is cut here
 */
public record ChunkerParams(int minBytes, int avgBytes, int maxBytes) {
    /** Below this the gear fingerprint (a 64-byte window) would span most of a chunk. */
    public static final int MIN_MIN_BYTES = 64;
    /** Bounds the reader's buffer and a chunk held in memory by a receiver. */
    public static final int MAX_MAX_BYTES = 16 << 20;
    /** 16 KiB / 64 KiB / 256 KiB, the sizes DESIGN.md names. */
    public static final ChunkerParams DEFAULT = new ChunkerParams(16 << 10, 64 << 10, 256 << 10);

    public ChunkerParams {
        if (avgBytes <= 0 || Integer.bitCount(avgBytes) != 1) {
            throw new IllegalArgumentException("chunker avgBytes must be a power of two, not " + avgBytes);
        }
        if (minBytes < MIN_MIN_BYTES) {
            throw new IllegalArgumentException(
                    "chunker minBytes must be at least " + MIN_MIN_BYTES + ", not " + minBytes);
        }
        if (maxBytes > MAX_MAX_BYTES) {
            throw new IllegalArgumentException(
                    "chunker maxBytes must be at most " + MAX_MAX_BYTES + " (16 MiB), not " + maxBytes);
        }
        if (minBytes >= avgBytes || avgBytes >= maxBytes) {
            throw new IllegalArgumentException("chunker sizes must satisfy minBytes < avgBytes < maxBytes, not "
                    + minBytes + " / " + avgBytes + " / " + maxBytes);
        }
    }
}
