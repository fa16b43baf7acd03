package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.identity.InviteSecret;
import dev.mirror.wire.HelloCheck;
import dev.mirror.wire.Link;
import dev.mirror.wire.LinkEndpoint;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.Hello;

import com.google.protobuf.ByteString;

import java.util.concurrent.CompletableFuture;

/** The daemon's side of one link: our Hello, the check of theirs, and requests handed to the serving threads. */
final class PeerSession implements LinkEndpoint {
    private final Daemon daemon;
    private final PeerState dialed;

    /** @param dialed the peer we dialed, or null for a link we accepted */
    PeerSession(Daemon daemon, PeerState dialed) {
        this.daemon = daemon;
        this.dialed = dialed;
    }

    PeerState dialed() {
        return dialed;
    }

    @Override
    public Hello hello(DeviceId peer) {
        Hello.Builder hello = Hello.newBuilder().setProtocolVersion(HelloCheck.PROTOCOL_VERSION)
                .setDeviceId(WireHashes.bytes(daemon.self().hash())).setFolderId(Daemon.FOLDER_ID)
                .setParameters(HelloCheck.toWire(daemon.params())).setRoot(WireHashes.bytes(daemon.root()));
        InviteSecret secret = dialed == null ? null : dialed.pairingSecret;
        if (secret != null) {
            hello.setPairingSecret(ByteString.copyFrom(secret.toBytes()));
        }
        return hello.build();
    }

    @Override
    public void accept(Link link, Hello hello) throws ProtocolException {
        daemon.helloCheck(dialed).accept(hello, link.peer());
    }

    @Override
    public void opened(Link link, Hash peerRoot) {
        daemon.opened(this, link, peerRoot);
    }

    @Override
    public Hash currentRoot() {
        return daemon.root();
    }

    @Override
    public CompletableFuture<Frame> serve(Link link, Frame request) {
        CompletableFuture<Frame> reply = new CompletableFuture<>();
        daemon.servePool().execute(() -> {
            try {
                // Encoded here, before this thread answers again: the reply may point into its memory.
                link.reply(request, daemon.server().answerToEncodeNow(request));
                reply.complete(null);
            } catch (Exception e) {
                reply.completeExceptionally(e);
            }
        });
        return reply;
    }

    @Override
    public void rootChanged(Link link, Hash root) {
        daemon.rootChanged(link, root);
    }

    @Override
    public void refusedBy(Link link, Failure failure) {
        daemon.refusedBy(this, link, failure);
    }

    @Override
    public void closed(Link link) {
        daemon.closed(link);
    }
}
