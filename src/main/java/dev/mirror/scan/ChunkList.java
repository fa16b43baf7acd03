package dev.mirror.scan;

import dev.mirror.core.Hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A file's chunks in order, packed as the index stores them: per chunk its length (4 bytes, big-endian) then its
 * SHA-256 (32 bytes). Packed rather than a list of objects because a 100 GiB file has over a million chunks.
 * The content hash (docs/hashing.md) is SHA-256 of the label "mirror.content.v1", a zero byte, then these records.
 * Immutable and thread-safe.
 */
public final class ChunkList {
    public static final int RECORD_BYTES = 4 + Hash.BYTES;
    private static final byte[] LABEL = "mirror.content.v1\0".getBytes(StandardCharsets.US_ASCII);
    public static final ChunkList EMPTY = new ChunkList(new byte[0], 0);

    private final byte[] packed;
    private final long totalBytes;

    private ChunkList(byte[] packed, long totalBytes) {
        this.packed = packed;
        this.totalBytes = totalBytes;
    }

    /** Reads a packed list as stored; throws IllegalArgumentException if it is not one. */
    public static ChunkList fromPacked(byte[] packed) {
        if (packed.length % RECORD_BYTES != 0) {
            throw new IllegalArgumentException("a chunk list has a multiple of " + RECORD_BYTES + " bytes, not "
                    + packed.length);
        }
        long total = 0;
        for (int at = 0; at < packed.length; at += RECORD_BYTES) {
            int length = readInt(packed, at);
            if (length <= 0) {
                throw new IllegalArgumentException("chunk " + at / RECORD_BYTES + " has length " + length);
            }
            total += length;
        }
        return new ChunkList(packed.clone(), total);
    }

    public int count() {
        return packed.length / RECORD_BYTES;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public int length(int index) {
        return readInt(packed, index * RECORD_BYTES);
    }

    public Hash hash(int index) {
        return Hash.of(packed, index * RECORD_BYTES + 4);
    }

    /** The hash that names this content. */
    public Hash contentHash() {
        MessageDigest digest = Hash.digest();
        digest.update(LABEL);
        digest.update(packed);
        return Hash.finish(digest);
    }

    /** Feeds the records of chunks {@code first} to {@code first + count - 1} to {@code digest}, as packed. */
    public void updateDigest(MessageDigest digest, int first, int count) {
        digest.update(packed, first * RECORD_BYTES, count * RECORD_BYTES);
    }

    /** The packed bytes, a copy. */
    public byte[] packed() {
        return packed.clone();
    }

    private static int readInt(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8
                | (bytes[at + 3] & 0xff);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkList other && Arrays.equals(packed, other.packed);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(packed);
    }

    /** Appends chunks in file order. Not thread-safe. */
    public static final class Builder {
        private byte[] packed = new byte[RECORD_BYTES * 16];
        private int size;
        private long totalBytes;

        public Builder add(int length, Hash hash) {
            if (length <= 0) {
                throw new IllegalArgumentException("chunk length " + length);
            }
            if (size + RECORD_BYTES > packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
            packed[size] = (byte) (length >>> 24);
            packed[size + 1] = (byte) (length >>> 16);
            packed[size + 2] = (byte) (length >>> 8);
            packed[size + 3] = (byte) length;
            hash.copyTo(packed, size + 4);
            size += RECORD_BYTES;
            totalBytes += length;
            return this;
        }

        /** Appends chunks {@code first} to {@code first + count - 1} of {@code list}. */
        public Builder addRange(ChunkList list, int first, int count) {
            for (int i = first; i < first + count; i++) {
                add(list.length(i), list.hash(i));
            }
            return this;
        }

        public int count() {
            return size / RECORD_BYTES;
        }

        public long totalBytes() {
            return totalBytes;
        }

        public ChunkList build() {
            return new ChunkList(Arrays.copyOf(packed, size), totalBytes);
        }
    }
}
