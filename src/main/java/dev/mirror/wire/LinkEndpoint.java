package dev.mirror.wire;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.Hello;

import java.util.concurrent.CompletableFuture;

/**
 * What a {@link Link} needs from the peer process it belongs to. Called on the link's event loop: do no blocking
 * work in these methods, hand it to another thread.
 */
public interface LinkEndpoint {
    /** Our Hello for a link whose TLS handshake proved {@code peer}. */
    Hello hello(DeviceId peer);

    /** Checks the peer's Hello ({@link HelloCheck}) and pins the device if it paired with an invite. */
    void accept(Link link, Hello hello) throws ProtocolException;

    /** Both Hellos are exchanged; {@code peerRoot} is the root the peer announced in its Hello. */
    void opened(Link link, Hash peerRoot);

    /** Our root now, repeated on a quiet link. */
    Hash currentRoot();

    /**
     * Answers a request (a list, chunk list or chunk request): completes with the reply, whose id the link sets, or
     * with null once the reply is sent through {@link Link#reply}.
     */
    CompletableFuture<Frame> serve(Link link, Frame request);

    void rootChanged(Link link, Hash root);

    /**
     * The peer closed the link with {@code failure} (a Failure frame with no request id), perhaps before the link
     * opened: a refused invite arrives this way. {@link #closed} follows if the link was open.
     */
    default void refusedBy(Link link, Failure failure) {
    }

    /** An open link closed, for whatever reason. */
    void closed(Link link);
}
