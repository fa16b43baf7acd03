package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.NamedThreadFactory;
import dev.mirror.identity.Identity;
import dev.mirror.identity.PeerAddress;
import dev.mirror.store.FolderException;
import dev.mirror.wire.PeerTrust;
import dev.mirror.wire.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The peer's network ends, over TLS on one Netty event loop group: the socket it listens on and the links it dials.
 * Every link, either way, gets the same pipeline ({@link LinkInitializer}) and a {@link PeerSession} from
 * {@code sessions}; what happens on it is the daemon's business.
 */
final class Sockets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sockets.class);

    private final Identity identity;
    private final Function<PeerState, PeerSession> sessions;
    private final EventLoopGroup loops = new NioEventLoopGroup(2, new NamedThreadFactory("mirror-link"));
    private Channel listener;

    Sockets(Identity identity, Function<PeerState, PeerSession> sessions) {
        this.identity = identity;
        this.sessions = sessions;
    }

    /**
     * Listens on {@code address} (or a free port of its host, if it is taken and {@code anyPortWillDo}).
     *
     * @return the address bound
     * @throws FolderException if it cannot listen: one sentence naming the address
     */
    PeerAddress listen(InetSocketAddress address, boolean anyPortWillDo, SslContext tls) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new LinkInitializer(tls, sessions, null));
        ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
        if (!bind.isSuccess() && bind.cause() instanceof BindException && anyPortWillDo) {
            LOG.info("Port {} is taken; listening on a free one instead", address.getPort());
            bind = bootstrap.bind(new InetSocketAddress(address.getAddress(), 0)).awaitUninterruptibly();
        }
        if (!bind.isSuccess()) {
            String why = bind.cause() instanceof BindException ? "the port is in use or not allowed"
                    : bind.cause().getMessage();
            throw new FolderException("Cannot listen on " + PeerAddress.of(address).format() + ": " + why
                    + "; choose another with --listen HOST:PORT.");
        }
        listener = bind.channel();
        return PeerAddress.of((InetSocketAddress) listener.localAddress());
    }

    /**
     * Dials {@code peer} at its address, accepting only the certificate of {@code expected}; {@code ended} runs once
     * the attempt failed or the link it made closed.
     */
    void dial(PeerState peer, DeviceId expected, Runnable ended) {
        try {
            SslContext tls = TlsContexts.client(identity, new PeerTrust(expected::equals));
            new Bootstrap().group(loops).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Daemon.TLS_HANDSHAKE_TIMEOUT.toMillis())
                    .handler(new LinkInitializer(tls, sessions, peer))
                    .connect(peer.address.host(), peer.address.port())
                    .addListener((ChannelFuture connected) -> {
                        if (!connected.isSuccess()) {
                            LOG.info("Cannot reach {} at {}: {}", expected.shortForm(), peer.address.format(),
                                    connected.cause().getMessage());
                            connected.channel().close();
                        }
                        connected.channel().closeFuture().addListener(closed -> ended.run());
                    });
        } catch (IOException e) {
            LOG.warn("Cannot dial {}: {}", expected.shortForm(), e.getMessage());
            ended.run();
        }
    }

    /** Stops listening, then closes every link and waits (a second at most) for the loops to finish. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
