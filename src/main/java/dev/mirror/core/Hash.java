package dev.mirror.core;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A SHA-256 digest: 32 immutable bytes, ordered as unsigned bytes (the order RocksDB's bytewise comparator uses),
 * printed as lowercase hex. Safe to share between threads.
 */
public final class Hash implements Comparable<Hash> {
    public static final int BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Hash::newDigest);

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of {@code bytes}, which must be exactly 32 long. */
    public static Hash of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a hash has 32 bytes, not " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /** Reads 32 bytes at {@code offset}. */
    public static Hash of(byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < BYTES) {
            throw new IllegalArgumentException("a hash needs 32 bytes at offset " + offset + " of " + bytes.length);
        }
        return new Hash(Arrays.copyOfRange(bytes, offset, offset + BYTES));
    }

    public static Hash fromHex(String hex) {
        if (hex.length() != BYTES * 2) {
            throw new IllegalArgumentException("a hash is 64 hex digits, not " + hex.length() + ": " + hex);
        }
        return new Hash(HEX.parseHex(hex));
    }

    /** SHA-256 of {@code data}. */
    public static Hash sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    /** SHA-256 of {@code data[offset..offset + length)}. */
    public static Hash sha256(byte[] data, int offset, int length) {
        MessageDigest digest = digest();
        digest.update(data, offset, length);
        return new Hash(digest.digest());
    }

    /** SHA-256 of the bytes {@code data} has left (its position is left alone). */
    public static Hash sha256(ByteBuffer data) {
        MessageDigest digest = digest();
        digest.update(data.duplicate());
        return new Hash(digest.digest());
    }

    /** Finishes {@code digest} (which is reset) into a Hash. */
    public static Hash finish(MessageDigest digest) {
        return new Hash(digest.digest());
    }

    /**
     * This thread's SHA-256 digest, reset and ready. Callers must finish with it before calling anything else that
     * may use it: it is shared by every caller on the thread.
     */
    public static MessageDigest digest() {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return digest;
    }

    /**
     * A fresh SHA-256 digest, for callers that keep one across calls: libcrypto's where it could be bound
     * ({@link #isNative}), else the JDK's.
     */
    public static MessageDigest newDigest() {
        if (NativeSha256.AVAILABLE) {
            return new NativeSha256();
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /**
     * Whether digests are computed by the system's libcrypto, which hashes at the CPU's speed under either JIT
     * compiler; bin/mirror runs the JVM without C2 where it finds the library, and without it the JDK's digest needs
     * C2 to be as fast.
     */
    public static boolean isNative() {
        return NativeSha256.AVAILABLE;
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, BYTES);
    }

    public void updateDigest(MessageDigest digest) {
        digest.update(bytes);
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public int compareTo(Hash other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // The bytes are already uniformly distributed.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return hex();
    }
}
