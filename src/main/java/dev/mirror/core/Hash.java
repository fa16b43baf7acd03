package dev.mirror.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest: 32 immutable bytes, ordered as unsigned bytes (the order RocksDB's bytewise comparator uses),
 * printed as lowercase hex. Held as four big-endian longs, not an array: one object instead of two, in the hundreds
 * of thousands a round keeps (two per entry of a first mirror's 50,000), which each young collection copies while
 * they live. Safe to share between threads.
 */
public final class Hash implements Comparable<Hash> {
    public static final int BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Hash::newDigest);
    /** The bytes of a hash being fed to a digest, which copies them at once: one array per thread, reused. */
    private static final ThreadLocal<byte[]> FED = ThreadLocal.withInitial(() -> new byte[BYTES]);

    private final long first;
    private final long second;
    private final long third;
    private final long fourth;

    private Hash(byte[] bytes, int offset) {
        this((long) LONGS.get(bytes, offset), (long) LONGS.get(bytes, offset + 8), (long) LONGS.get(bytes, offset + 16),
                (long) LONGS.get(bytes, offset + 24));
    }

    private Hash(long first, long second, long third, long fourth) {
        this.first = first;
        this.second = second;
        this.third = third;
        this.fourth = fourth;
    }

    /** The hash whose bytes are {@code bytes}, which must be exactly 32 long. */
    public static Hash of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a hash has 32 bytes, not " + bytes.length);
        }
        return new Hash(bytes, 0);
    }

    /** Reads 32 bytes at {@code offset}. */
    public static Hash of(byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < BYTES) {
            throw new IllegalArgumentException("a hash needs 32 bytes at offset " + offset + " of " + bytes.length);
        }
        return new Hash(bytes, offset);
    }

    /** Reads the 32 bytes {@code bytes} has left (its position is left alone); it must have exactly 32. */
    public static Hash of(ByteBuffer bytes) {
        if (bytes.remaining() != BYTES) {
            throw new IllegalArgumentException("a hash has 32 bytes, not " + bytes.remaining());
        }
        ByteBuffer big = bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        int at = big.position();
        return new Hash(big.getLong(at), big.getLong(at + 8), big.getLong(at + 16), big.getLong(at + 24));
    }

    public static Hash fromHex(String hex) {
        if (hex.length() != BYTES * 2) {
            throw new IllegalArgumentException("a hash is 64 hex digits, not " + hex.length() + ": " + hex);
        }
        return new Hash(HEX.parseHex(hex), 0);
    }

    /** SHA-256 of {@code data}. */
    public static Hash sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    /** SHA-256 of {@code data[offset..offset + length)}. */
    public static Hash sha256(byte[] data, int offset, int length) {
        MessageDigest digest = digest();
        digest.update(data, offset, length);
        return finish(digest);
    }

    /** SHA-256 of the bytes {@code data} has left (its position is left alone). */
    public static Hash sha256(ByteBuffer data) {
        MessageDigest digest = digest();
        digest.update(data.duplicate());
        return finish(digest);
    }

    /** Finishes {@code digest} (which is reset) into a Hash. */
    public static Hash finish(MessageDigest digest) {
        return new Hash(digest.digest(), 0);
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
        byte[] bytes = new byte[BYTES];
        copyTo(bytes, 0);
        return bytes;
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        LONGS.set(target, offset, first);
        LONGS.set(target, offset + 8, second);
        LONGS.set(target, offset + 16, third);
        LONGS.set(target, offset + 24, fourth);
    }

    public void updateDigest(MessageDigest digest) {
        byte[] bytes = FED.get();
        copyTo(bytes, 0);
        digest.update(bytes);
    }

    public String hex() {
        return HEX.formatHex(toBytes());
    }

    @Override
    public int compareTo(Hash other) {
        // Unsigned, word by word from the first: the order of the bytes, unsigned, from the first.
        int order = Long.compareUnsigned(first, other.first);
        if (order == 0) {
            order = Long.compareUnsigned(second, other.second);
        }
        if (order == 0) {
            order = Long.compareUnsigned(third, other.third);
        }
        return order != 0 ? order : Long.compareUnsigned(fourth, other.fourth);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash other && first == other.first && second == other.second && third == other.third
                && fourth == other.fourth;
    }

    @Override
    public int hashCode() {
        // The bytes are already uniformly distributed: the first four will do.
        return (int) (first >>> 32);
    }

    @Override
    public String toString() {
        return hex();
    }
}
