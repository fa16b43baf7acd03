package dev.mirror.tree;

import dev.mirror.core.Hash;

/**
 * Decides where a directory's name-ordered children are cut into buckets. A child ends a bucket when the low
 * {@code bits} bits of the SHA-256 of its name are zero, so the cuts depend only on the set of names, never on the
 * order of edits (two peers with the same names cut the same buckets), and one change re-hashes one bucket of
 * about 2^bits children. Immutable and thread-safe.
 */
public final class BucketRule {
    public static final int DEFAULT_BITS = 10;

    private final int bits;
    private final int mask;

    public BucketRule(int bits) {
        if (bits < 1 || bits > 20) {
            throw new IllegalArgumentException("bucket bits must be 1..20, not " + bits);
        }
        this.bits = bits;
        this.mask = (1 << bits) - 1;
    }

    public int bits() {
        return bits;
    }

    /** True if the child named {@code name} (UTF-8) is the last of its bucket. */
    public boolean endsBucket(byte[] name) {
        byte[] h = Hash.digest().digest(name);
        int low = (h[29] & 0xff) << 16 | (h[30] & 0xff) << 8 | (h[31] & 0xff);
        return (low & mask) == 0;
    }
}
