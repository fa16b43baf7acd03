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
        return hash(bytes, what, null);
    }

    /**
     * The hash in {@code bytes}, which a peer sent as {@code what} of {@code of} (null: of nothing named): the
     * description is put together only for the error, as a descent reads two hashes for each of tens of thousands of
     * entries. Read where the bytes are, without copying them into an array first.
     */
    public static Hash hash(ByteString bytes, String what, Object of) throws ProtocolException {
        if (bytes.size() != Hash.BYTES) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a " + what + (of == null ? "" : " of " + of) + " of "
                    + bytes.size() + " bytes, not " + Hash.BYTES);
        }
        return Hash.of(bytes.asReadOnlyByteBuffer());
    }
}
