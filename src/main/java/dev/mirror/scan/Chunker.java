package dev.mirror.scan;

import dev.mirror.core.Hash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Finds content-defined cut points with FastCDC (Xia et al., USENIX ATC'16): a gear rolling hash, no hashing of the
 * first {@code minBytes} of a chunk, and normalized chunking (a harder condition before {@code avgBytes}, an easier
 * one after). Because a cut depends only on the 64 bytes before it (once 64 bytes past the minimum), an insertion
 * changes the chunks around it and leaves the rest identical. The exact behaviour is pinned by docs/chunking.md:
 * peers must cut identically, so any change here is a new {@link #ALGORITHM}, never an edit.
 *
 * <p>Immutable and stateless between calls; safe to share between threads.
 */
public final class Chunker {
    /** Names this algorithm and gear table; peers cut identically only if this and the params are equal. */
    public static final String ALGORITHM = "mirror-fastcdc-1";
    /** The prefix hashed with each byte value to derive the gear table (see docs/chunking.md). */
    static final String GEAR_SEED = "mirror/gear/1";
    private static final long[] GEAR = gearTable();

    private final ChunkerParams params;
    private final int minBytes;
    private final int avgBytes;
    private final int maxBytes;
    /** Tested while the chunk would be at most avgBytes long: log2(avg) + 2 one-bits, so cuts are rarer. */
    private final long hardMask;
    /** Tested beyond avgBytes: log2(avg) - 2 one-bits, so a cut comes soon. */
    private final long easyMask;

    public Chunker(ChunkerParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.minBytes = params.minBytes();
        this.avgBytes = params.avgBytes();
        this.maxBytes = params.maxBytes();
        int avgBits = Integer.numberOfTrailingZeros(avgBytes);
        this.hardMask = highBits(avgBits + 2);
        this.easyMask = highBits(avgBits - 2);
    }

    public ChunkerParams params() {
        return params;
    }

    /**
     * Returns the length of the chunk that starts at {@code data[from]}, given the bytes {@code data[from..end)}.
     *
     * <p>Contract: the result depends only on the first {@code min(end - from, maxBytes)} bytes, so the caller must
     * pass at least {@code maxBytes} bytes unless {@code endOfInput} says that {@code end} is the end of the whole
     * input; with fewer bytes and more input to come the answer could differ, and this throws. At the end of input
     * the last chunk may be shorter than {@code minBytes}. The result is in {@code [1, min(end - from, maxBytes)]};
     * every chunk but the last of an input is longer than {@code minBytes}.
     *
     * @throws IllegalArgumentException if {@code [from, end)} is empty or outside {@code data}, or if fewer than
     *                                  {@code maxBytes} bytes are passed before the end of input
     */
    public int nextCut(byte[] data, int from, int end, boolean endOfInput) {
        if (from < 0 || end > data.length || from >= end) {
            throw new IllegalArgumentException(
                    "nextCut needs a non-empty range in " + data.length + " bytes, not [" + from + ", " + end + ")");
        }
        int available = end - from;
        if (available < maxBytes && !endOfInput) {
            throw new IllegalArgumentException("nextCut needs " + maxBytes + " bytes before the end of input, got "
                    + available + "; pass endOfInput = true only when no more input follows");
        }
        int limit = Math.min(available, maxBytes);
        if (limit <= minBytes) {
            return limit;
        }
        return cut(data, from, limit);
    }

    /** For tests that pin the table against docs/chunking.md. */
    static long gear(int index) {
        return GEAR[index];
    }

    /**
     * The FastCDC loop over {@code data[from + minBytes .. from + limit)}, written for the JIT: locals only, a long
     * fingerprint, an int index and plain counted loops whose bounds were checked above. Returns the chunk length.
     */
    private int cut(byte[] data, int from, int limit) {
        final long[] gear = GEAR;
        final long hard = hardMask;
        final long easy = easyMask;
        final int normalEnd = from + Math.min(avgBytes, limit);
        final int end = from + limit;
        long fp = 0;
        int i = from + minBytes;
        for (; i < normalEnd; i++) {
            fp = (fp << 1) + gear[data[i] & 0xff];
            if ((fp & hard) == 0) {
                return i + 1 - from;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + gear[data[i] & 0xff];
            if ((fp & easy) == 0) {
                return i + 1 - from;
            }
        }
        return limit;
    }

    /**
     * A mask of the {@code bits} highest bits. We test high bits because with {@code fp = (fp << 1) + gear[b]} bit k
     * depends only on the last k + 1 bytes: low bits would decide on a window of a dozen bytes, while bit 63 sees
     * all of the last 64. The paper spreads its mask bits for the same reason; high bits need no magic constants.
     */
    private static long highBits(int bits) {
        return -1L << (Long.SIZE - bits);
    }

    /** gear[i] = the first 8 bytes, big-endian, of SHA-256(ASCII "mirror/gear/1" followed by the byte i). */
    private static long[] gearTable() {
        byte[] seed = GEAR_SEED.getBytes(StandardCharsets.US_ASCII);
        MessageDigest digest = Hash.newDigest();
        long[] gear = new long[256];
        for (int i = 0; i < gear.length; i++) {
            digest.update(seed);
            digest.update((byte) i);
            byte[] sum = digest.digest();
            long value = 0;
            for (int j = 0; j < Long.BYTES; j++) {
                value = value << 8 | (sum[j] & 0xff);
            }
            gear[i] = value;
        }
        return gear;
    }
}
