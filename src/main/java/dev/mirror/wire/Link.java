package dev.mirror.wire;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.Hello;
import dev.mirror.wire.proto.RootChanged;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One link with a peer, above TLS and the frame codec (docs/protocol.md). When TLS is up it sends our Hello and waits
 * for the peer's; after that, requests flow both ways with many in flight, each reply matched to its request by id.
 * Anything out of order — a request before the Hello, a second Hello, a reply nobody asked for or of the wrong kind —
 * closes the link with one logged reason; the process goes on. Thread-safe: requests may be sent from any thread.
 */
public final class Link extends SimpleChannelInboundHandler<Frame> {
    /** How long a peer has, after TLS, to say Hello. */
    static final long HELLO_TIMEOUT_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(Link.class);

    private final LinkEndpoint endpoint;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private volatile Channel channel;
    private volatile DeviceId peer;
    private volatile boolean open;
    private ScheduledFuture<?> helloTimeout;

    public Link(LinkEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The device TLS proved at the other end; null until the TLS handshake is done. */
    public DeviceId peer() {
        return peer;
    }

    /** True once both Hellos were exchanged and accepted, until the link closes. */
    public boolean isOpen() {
        return open;
    }

    public String remoteAddress() {
        Channel c = channel;
        return c != null && c.remoteAddress() instanceof java.net.InetSocketAddress socket
                ? dev.mirror.identity.PeerAddress.of(socket).format() : "?";
    }

    /** Requests sent so far: the round trips a descent costs are counted from this. */
    public long requestsSent() {
        return requestsSent.get();
    }

    /** Frame bytes (with their length prefixes) received on this link. */
    public long bytesIn() {
        return bytesIn.get();
    }

    /** Frame bytes (with their length prefixes) sent on this link. */
    public long bytesOut() {
        return bytesOut.get();
    }

    /**
     * Sends {@code request} (a body of one of the request kinds; the id is set here) and returns its reply. Fails
     * with a {@link ProtocolException} if the peer answers with a Failure, and with an IOException if the link
     * closes first.
     */
    public CompletableFuture<Frame> request(Frame.Builder request) {
        Frame.BodyCase kind = request.getBodyCase();
        Frame.BodyCase replyKind = FrameKinds.replyTo(kind);
        if (replyKind == null) {
            throw new IllegalArgumentException(kind + " is not a request");
        }
        CompletableFuture<Frame> reply = new CompletableFuture<>();
        if (!open) {
            reply.completeExceptionally(new IOException("the link with " + remoteAddress() + " is closed"));
            return reply;
        }
        long id = nextId.incrementAndGet();
        pending.put(id, new Pending(replyKind, reply));
        requestsSent.incrementAndGet();
        send(request.setId(id).build());
        if (!open) {
            failPending();
        }
        return reply;
    }

    /** Tells the peer our root changed. Does nothing if the link is not open. */
    public void announce(Hash root) {
        if (open) {
            send(Frame.newBuilder().setRootChanged(RootChanged.newBuilder().setRoot(WireHashes.bytes(root))).build());
        }
    }

    /** Closes the link, telling the peer why first. */
    public void close(ProtocolException reason) {
        Channel c = channel;
        if (c != null && c.isActive()) {
            c.writeAndFlush(Frame.newBuilder().setFailure(reason.toWire()).build())
                    .addListener(future -> c.close());
        }
    }

    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                // LinkGuard logs a failed handshake's own exception; nothing to add here.
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                DeviceId proven = TlsContexts.peerOf(tls.engine().getSession());
                ctx.pipeline().fireUserEventTriggered(new Established(proven));
            }
        } else if (event instanceof Established established) {
            peer = established.peer();
            helloTimeout = ctx.executor().schedule(() -> fail(ctx, new ProtocolException(Failure.Code.PROTOCOL,
                    "no Hello within " + HELLO_TIMEOUT_MILLIS / 1000 + " s of the TLS handshake")),
                    HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            send(Frame.newBuilder().setHello(endpoint.hello(peer)).build());
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                fail(ctx, new ProtocolException(Failure.Code.PROTOCOL, "the peer was silent for too long"));
            } else if (open) {
                // Keeps a quiet link alive, and repeats the root in case an announcement crossed a pull.
                announce(endpoint.currentRoot());
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        bytesIn.addAndGet(frame.getSerializedSize() + 4L);
        try {
            dispatch(ctx, frame);
        } catch (ProtocolException e) {
            fail(ctx, e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean wasOpen = open;
        open = false;
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        failPending();
        if (wasOpen) {
            endpoint.closed(this);
        }
        super.channelInactive(ctx);
    }

    private void dispatch(ChannelHandlerContext ctx, Frame frame) throws ProtocolException {
        Frame.BodyCase kind = frame.getBodyCase();
        if (kind == Frame.BodyCase.FAILURE && frame.getId() == 0) {
            Failure failure = frame.getFailure();
            LOG.warn("{} closed the link: {} ({})", describePeer(), failure.getMessage(), failure.getCode());
            endpoint.refusedBy(this, failure);
            ctx.close();
            return;
        }
        if (!open) {
            if (kind != Frame.BodyCase.HELLO || peer == null) {
                throw new ProtocolException(Failure.Code.PROTOCOL, "the first message must be a Hello, got " + kind);
            }
            helloTimeout.cancel(false);
            Hello hello = frame.getHello();
            // Checked before the link counts as open: a malformed root must not report a link closed that the
            // endpoint never heard open.
            Hash peerRoot = WireHashes.hash(hello.getRoot(), "root");
            endpoint.accept(this, hello);
            open = true;
            endpoint.opened(this, peerRoot);
            return;
        }
        switch (kind) {
            case HELLO -> throw new ProtocolException(Failure.Code.PROTOCOL, "a second Hello on an open link");
            case ROOT_CHANGED -> endpoint.rootChanged(this, rootOf(frame.getRootChanged()));
            case LIST_REQUEST, CHUNK_LIST_REQUEST, CHUNK_REQUEST -> serve(ctx, frame);
            default -> complete(frame);
        }
    }

    private void serve(ChannelHandlerContext ctx, Frame request) throws ProtocolException {
        long id = request.getId();
        if (id == 0) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a " + request.getBodyCase() + " without an id");
        }
        endpoint.serve(this, request).whenComplete((reply, error) -> {
            if (error == null) {
                if (reply != null) { // else the endpoint replied itself (reply)
                    send(reply.toBuilder().setId(id).build());
                }
            } else {
                ProtocolException problem = ProtocolException.of(error);
                LOG.debug("Could not answer {} from {}", request.getBodyCase(), describePeer(), error);
                if (problem.code() == Failure.Code.PROTOCOL) {
                    fail(ctx, problem);
                } else {
                    send(Frame.newBuilder().setId(id).setFailure(problem.toWire()).build());
                }
            }
        });
    }

    private void complete(Frame reply) throws ProtocolException {
        Pending waiting = reply.getId() == 0 ? null : pending.remove(reply.getId());
        if (waiting == null) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a " + reply.getBodyCase() + " for request "
                    + reply.getId() + ", which was never sent or already answered");
        }
        if (reply.getBodyCase() == Frame.BodyCase.FAILURE) {
            Failure failure = reply.getFailure();
            waiting.reply.completeExceptionally(new ProtocolException(failure.getCode(), failure.getMessage()));
        } else if (reply.getBodyCase() != waiting.kind) {
            waiting.reply.completeExceptionally(new IOException("the peer answered with the wrong kind"));
            throw new ProtocolException(Failure.Code.PROTOCOL, "a " + reply.getBodyCase() + " in reply to a request "
                    + "that wants a " + waiting.kind);
        } else {
            waiting.reply.complete(reply);
        }
    }

    private void send(Frame frame) {
        write(frame, frame.getSerializedSize() + 4L);
    }

    /** Writes a frame, or one encoded already, of {@code bytes} with its length, counting them. */
    private void write(Object frame, long bytes) {
        Channel c = channel;
        bytesOut.addAndGet(bytes);
        c.writeAndFlush(frame, c.voidPromise());
    }

    /**
     * Sends {@code answer} to {@code request}, encoded on the calling thread before this returns, so its bytes fields
     * may point into memory the caller reuses right after (a serving thread reads the small files it sends into
     * memory of its own: sync.ContentArena). For {@link LinkEndpoint#serve}, whose future then completes with null.
     */
    public void reply(Frame request, Frame answer) throws IOException {
        ByteBuf encoded = FrameEncoder.encode(channel.alloc(), answer.toBuilder().setId(request.getId()).build());
        write(encoded, encoded.readableBytes());
    }

    private void fail(ChannelHandlerContext ctx, ProtocolException reason) {
        if (ctx.channel().isActive()) {
            LOG.warn("Closing the link with {}: {}", describePeer(), reason.getMessage());
            close(reason);
        }
    }

    private void failPending() {
        IOException closed = new IOException("the link with " + describePeer() + " closed");
        pending.values().removeIf(waiting -> waiting.reply.completeExceptionally(closed) || true);
    }

    private String describePeer() {
        DeviceId device = peer;
        return (device == null ? "" : device.shortForm() + " at ") + remoteAddress();
    }

    private static Hash rootOf(RootChanged changed) throws ProtocolException {
        return WireHashes.hash(changed.getRoot(), "root");
    }

    private record Pending(Frame.BodyCase kind, CompletableFuture<Frame> reply) {
    }

    /**
     * The event that starts the conversation: TLS proved the peer to be {@code peer}. Fired when the TLS handshake
     * succeeds; tests without TLS fire it themselves.
     */
    public record Established(DeviceId peer) {
    }
}
