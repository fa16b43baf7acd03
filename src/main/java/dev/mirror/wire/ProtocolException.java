package dev.mirror.wire;

import dev.mirror.wire.proto.Failure;

import java.io.IOException;

/** A peer broke the protocol or cannot be talked to; {@link #code()} is what the link is closed with. */
public final class ProtocolException extends IOException {
    private final Failure.Code code;

    public ProtocolException(Failure.Code code, String message) {
        super(message);
        this.code = code;
    }

    public Failure.Code code() {
        return code;
    }

    /** The Failure frame that tells the peer why, before the link closes. */
    public Failure toWire() {
        return Failure.newBuilder().setCode(code).setMessage(getMessage()).build();
    }
}
