package dev.mirror.identity;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The one-time secret of an invite: 128 random bits. Compared in constant time; never printed, logged or stored in
 * the clear (the inviter keeps only what {@link InviteBook} needs). Immutable.
 */
public final class InviteSecret {
    public static final int BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private InviteSecret(byte[] bytes) {
        this.bytes = bytes;
    }

    public static InviteSecret random() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        return new InviteSecret(bytes);
    }

    public static InviteSecret of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an invite secret has " + BYTES + " bytes, not " + bytes.length);
        }
        return new InviteSecret(bytes.clone());
    }

    /** Constant time, so a peer guessing secrets learns nothing from how long a refusal takes. */
    public boolean matches(InviteSecret other) {
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    /** A copy of the bytes, for the joiner's Hello; never for a log. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InviteSecret other && matches(other);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "InviteSecret[hidden]";
    }
}
