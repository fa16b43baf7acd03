package dev.mirror.wire;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bare TLS links on 127.0.0.1 for the handshake tests: TLS and {@link LinkGuard}, nothing of a peer above them.
 * Handshake futures are taken from the handler as it is created, never looked up in the pipeline later: a refused
 * handshake closes the channel, and empties its pipeline, possibly before the caller gets to look.
 */
final class LoopbackTls {
    private LoopbackTls() {
    }

    /** Listens on a free port; the handshake of every accepted link is added to {@code handshakes}. */
    static Channel listen(EventLoopGroup group, SslContext context, Queue<Future<Channel>> handshakes)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler tls = context.newHandler(channel.alloc());
                        handshakes.add(tls.handshakeFuture());
                        channel.pipeline().addLast(tls, new LinkGuard());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    /** Connects to {@code server}; returns the TLS handshake's future, completed with the channel. */
    static Future<Channel> connect(EventLoopGroup group, SslContext context, Channel server)
            throws InterruptedException {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        AtomicReference<Future<Channel>> handshake = new AtomicReference<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler tls = context.newHandler(channel.alloc(), "127.0.0.1", address.getPort());
                        handshake.set(tls.handshakeFuture());
                        channel.pipeline().addLast(tls, new LinkGuard());
                    }
                }).connect(address).sync();
        return handshake.get();
    }
}
