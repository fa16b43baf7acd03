package dev.mirror.identity;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;

import java.util.Base64;
import java.util.Objects;

/**
 * A one-time invitation to pair, as {@code mirror serve} and {@code mirror invite} print it and {@code mirror join}
 * takes it: {@code host:port#TOKEN}. The token carries the inviter's device ID, so the joiner can check whom it
 * reached (no trust on first use), and a secret of 128 bits, so the inviter can tell whom to accept. Immutable.
 *
 * <p>Token bytes: a version byte (1), the 32-byte device ID hash, the 16-byte secret; written as unpadded
 * base64url, which survives shells, chat programs and copy-paste.
 */
public record Invite(PeerAddress address, DeviceId inviter, InviteSecret secret) {
    private static final byte VERSION = 1;
    private static final int TOKEN_BYTES = 1 + Hash.BYTES + InviteSecret.BYTES;

    public Invite {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(inviter, "inviter");
        Objects.requireNonNull(secret, "secret");
    }

    /**
     * Reads {@code host:port#TOKEN}.
     *
     * @throws IllegalArgumentException naming what is wrong, for the user
     */
    public static Invite parse(String text) {
        int hash = text.indexOf('#');
        if (hash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no invite token: expected HOST:PORT#TOKEN, as "
                    + "'mirror serve' or 'mirror invite' prints it");
        }
        PeerAddress address = PeerAddress.parse(text.substring(0, hash));
        byte[] token;
        try {
            token = Base64.getUrlDecoder().decode(text.substring(hash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the invite token is damaged (not base64url): was it copied whole?");
        }
        if (token.length != TOKEN_BYTES || token[0] != VERSION) {
            throw new IllegalArgumentException("the invite token is damaged or from another version of mirror "
                    + "(" + token.length + " bytes): was it copied whole?");
        }
        byte[] secret = new byte[InviteSecret.BYTES];
        System.arraycopy(token, 1 + Hash.BYTES, secret, 0, secret.length);
        return new Invite(address, DeviceId.of(Hash.of(token, 1)), InviteSecret.of(secret));
    }

    /** The line a user pastes: {@code host:port#TOKEN}. */
    public String format() {
        byte[] token = new byte[TOKEN_BYTES];
        token[0] = VERSION;
        inviter.hash().copyTo(token, 1);
        secret.copyTo(token, 1 + Hash.BYTES);
        return address.format() + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "Invite[" + address.format() + ", " + inviter + "]";
    }
}
