package dev.mirror.wire;

import com.google.protobuf.ByteString;
import dev.mirror.core.Hash;
import dev.mirror.wire.proto.Failure;

/** Hashes in and out of protobuf bytes; a hash from a peer of any length but 32 bytes breaks the protocol. */
public final class WireHashes {
    private WireHashes() {
    }

    public static ByteString bytes(Hash hash) {
        return ByteString.copyFrom(hash.toBytes());
    }

    /** The hash in {@code bytes}, which a peer sent as {@code what}. */
    public static Hash hash(ByteString bytes, String what) throws ProtocolException {
        if (bytes.size() != Hash.BYTES) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a " + what + " of " + bytes.size() + " bytes, not "
                    + Hash.BYTES);
        }
        return Hash.of(bytes.toByteArray());
    }
}
