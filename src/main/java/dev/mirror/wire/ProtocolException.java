package dev.mirror.wire;

import dev.mirror.wire.proto.Failure;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A peer broke the protocol or cannot be talked to; {@link #code()} is what the link is closed with. */
public final class ProtocolException extends IOException {
    private final Failure.Code code;

    public ProtocolException(Failure.Code code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * What to tell the peer about {@code error}, a failure met while answering it: a ProtocolException as it is;
     * anything else is this side's trouble ({@link Failure.Code#UNAVAILABLE}), so the peer may ask again later.
     */
    public static ProtocolException of(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ProtocolException protocol) {
            return protocol;
        }
        return new ProtocolException(Failure.Code.UNAVAILABLE, "could not answer: " + cause.getMessage());
    }

    public Failure.Code code() {
        return code;
    }

    /** The Failure frame that tells the peer why, before the link closes. */
    public Failure toWire() {
        return Failure.newBuilder().setCode(code).setMessage(getMessage()).build();
    }
}
