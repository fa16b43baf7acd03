package dev.mirror.wire;

import dev.mirror.identity.Identity;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import javax.net.ssl.SSLSession;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * TLS throughput of one link over loopback, per TLS engine: two Netty peers in this process, built with
 * {@link TlsContexts} (TLS 1.3, mutual authentication, {@link PeerTrust} pinning real {@link Identity} certificates),
 * the client sending {@code --mib} MiB in 64 KiB buffers while the channel is writable. Not a test: run by hand.
 *
 * <pre>
 * mvn -q test-compile &amp;&amp; mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dio.netty.leakDetection.level=disabled -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.mirror.wire.TlsThroughput [--mib 2048] [--reps 5] [--providers JDK]
 * </pre>
 *
 * Reports, per engine, the median of the repetitions: MB/s (10^6 bytes per second, first write to last byte read),
 * process CPU seconds per GB (both ends, so encryption and decryption together), and the median of 20 full
 * handshakes (new TCP connection to both ends' handshake done). Each engine gets one unmeasured warm-up repetition.
 * Run one engine per JVM (and the other in a second run): sharing a JVM skews the second one's JIT profile. Expect
 * the first measured repetitions to be slower (the JIT is still at work), and noise on a shared machine.
 */
public final class TlsThroughput {
    private static final int CHUNK = 64 * 1024;
    private static final int HANDSHAKES = 20;

    private TlsThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long mib = 2048;
        int reps = 3;
        List<SslProvider> providers = List.of(SslProvider.JDK, SslProvider.OPENSSL);
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--mib" -> mib = Long.parseLong(args[i + 1]);
                case "--reps" -> reps = Integer.parseInt(args[i + 1]);
                case "--providers" -> providers = Arrays.stream(args[i + 1].split(","))
                        .map(SslProvider::valueOf).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("tls-throughput");
        Identity server = Identity.loadOrCreate(dir.resolve("server"));
        Identity client = Identity.loadOrCreate(dir.resolve("client"));
        System.out.printf("%d MiB per rep, %d reps, 64 KiB writes; default engine here: %s%n",
                mib, reps, TlsContexts.provider());
        for (SslProvider provider : providers) {
            if (provider != SslProvider.JDK && !OpenSsl.isAvailable()) {
                System.out.printf("%-8s unavailable%n", provider);
                continue;
            }
            SslContext serverContext = TlsContexts.server(server, new PeerTrust(client.deviceId()::equals), provider);
            SslContext clientContext = TlsContexts.client(client, new PeerTrust(server.deviceId()::equals), provider);
            run(serverContext, clientContext, mib * 1024 * 1024); // warm-up: JDK AES-GCM needs C2 to be fast
            List<Double> mbps = new ArrayList<>();
            List<Double> cpuPerGb = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                double[] result = run(serverContext, clientContext, mib * 1024 * 1024);
                mbps.add(result[0]);
                cpuPerGb.add(result[1]);
                System.out.printf("%-8s rep %d: %7.1f MB/s, %5.2f CPU s/GB%n", provider, rep + 1, result[0], result[1]);
            }
            double handshakeMs = handshakes(serverContext, clientContext);
            System.out.printf("%-8s median: %7.1f MB/s, %5.2f CPU s/GB, handshake %.1f ms%n",
                    provider, median(mbps), median(cpuPerGb), handshakeMs);
        }
    }

    /** Sends {@code bytes} from client to server; returns {MB/s, process CPU seconds per GB}. */
    private static double[] run(SslContext serverContext, SslContext clientContext, long bytes) throws Exception {
        EventLoopGroup serverGroup = new NioEventLoopGroup(1);
        EventLoopGroup clientGroup = new NioEventLoopGroup(1);
        try {
            Promise<Long> received = serverGroup.next().newPromise();
            Channel listener = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(serverContext.newHandler(channel.alloc()),
                                    new Sink(bytes, received), new LinkGuard());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            Channel channel = connect(clientGroup, clientContext, (InetSocketAddress) listener.localAddress());
            channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
            ByteBuf chunk = randomChunk();
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            channel.eventLoop().execute(new Source(channel, chunk, bytes));
            long got = received.get(10, TimeUnit.MINUTES);
            long elapsed = System.nanoTime() - t0;
            long cpu = cpuNanos() - cpu0;
            if (got != bytes) {
                throw new IllegalStateException("received " + got + " of " + bytes + " bytes");
            }
            chunk.release();
            channel.close().sync();
            listener.close().sync();
            return new double[] {bytes / (elapsed / 1e9) / 1e6, cpu / 1e9 / (bytes / 1e9)};
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Median milliseconds from connect to both ends' handshake done, over {@link #HANDSHAKES} new connections. */
    private static double handshakes(SslContext serverContext, SslContext clientContext) throws Exception {
        EventLoopGroup serverGroup = new NioEventLoopGroup(1);
        EventLoopGroup clientGroup = new NioEventLoopGroup(1);
        try {
            BlockingQueue<Future<Channel>> accepted = new LinkedBlockingQueue<>();
            Channel listener = LoopbackTls.listen(serverGroup, serverContext, accepted);
            List<Double> ms = new ArrayList<>();
            String suite = "";
            for (int i = 0; i < HANDSHAKES + 5; i++) {
                long t0 = System.nanoTime();
                Channel channel = connect(clientGroup, clientContext, (InetSocketAddress) listener.localAddress());
                Channel served = accepted.take().sync().getNow();
                channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
                long elapsed = System.nanoTime() - t0;
                SSLSession session = channel.pipeline().get(SslHandler.class).engine().getSession();
                TlsContexts.peerOf(session);
                TlsContexts.peerOf(served.pipeline().get(SslHandler.class).engine().getSession());
                suite = session.getProtocol() + " " + session.getCipherSuite();
                channel.close().sync();
                served.close().sync();
                if (i >= 5) {
                    ms.add(elapsed / 1e6);
                }
            }
            listener.close().sync();
            System.out.printf("  negotiated %s%n", suite);
            return median(ms);
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static Channel connect(EventLoopGroup group, SslContext context, InetSocketAddress address)
            throws InterruptedException {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(context.newHandler(channel.alloc(), "127.0.0.1",
                                address.getPort()), new LinkGuard());
                    }
                }).connect(address).sync().channel();
    }

    /** Writes shared views of one 64 KiB buffer while the channel is writable, resuming when it is again. */
    private static final class Source implements Runnable {
        private final Channel channel;
        private final ByteBuf chunk;
        private long left;

        Source(Channel channel, ByteBuf chunk, long bytes) {
            this.channel = channel;
            this.chunk = chunk;
            this.left = bytes;
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                    if (ctx.channel().isWritable()) {
                        Source.this.run();
                    }
                    ctx.fireChannelWritabilityChanged();
                }
            });
        }

        @Override
        public void run() {
            boolean wrote = false;
            while (left > 0 && channel.isWritable()) {
                int n = (int) Math.min(CHUNK, left);
                channel.write(chunk.retainedSlice(0, n)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
                left -= n;
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }
    }

    /** Counts and drops what arrives; completes {@code done} once {@code expected} bytes are in. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final long expected;
        private final Promise<Long> done;
        private long seen;

        Sink(long expected, Promise<Long> done) {
            this.expected = expected;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            seen += buf.readableBytes();
            buf.release();
            if (seen >= expected) {
                done.trySuccess(seen);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.tryFailure(new IllegalStateException("link closed after " + seen + " bytes"));
            ctx.fireChannelInactive();
        }
    }

    private static ByteBuf randomChunk() {
        byte[] bytes = new byte[CHUNK];
        new Random(42).nextBytes(bytes);
        return Unpooled.directBuffer(CHUNK).writeBytes(bytes);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
