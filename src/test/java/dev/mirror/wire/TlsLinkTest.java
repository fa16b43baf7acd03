package dev.mirror.wire;

import dev.mirror.core.DeviceId;
import dev.mirror.identity.Identity;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real TLS on loopback: who may complete a handshake with whom. */
@Tag("e2e")
@Timeout(60)
class TlsLinkTest {
    private final BlockingQueue<Future<Channel>> serverHandshakes = new LinkedBlockingQueue<>();
    private EventLoopGroup group;
    private Identity alice;
    private Identity bob;
    private Identity mallory;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        group = new NioEventLoopGroup(2);
        alice = Identity.loadOrCreate(dir.resolve("alice"));
        bob = Identity.loadOrCreate(dir.resolve("bob"));
        mallory = Identity.loadOrCreate(dir.resolve("mallory"));
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void pinnedDevicesCompleteTheHandshakeAndSeeEachOthersIds() throws Exception {
        Channel server = listen(alice, Set.of(bob.deviceId()));
        Future<Channel> handshake = connect(bob, alice.deviceId(), server);
        assertTrue(handshake.await(10, TimeUnit.SECONDS) && handshake.isSuccess(), String.valueOf(handshake.cause()));
        SslHandler tls = handshake.getNow().pipeline().get(SslHandler.class);
        assertEquals(alice.deviceId(), TlsContexts.peerOf(tls.engine().getSession()));
        assertEquals("TLSv1.3", tls.engine().getSession().getProtocol());
        server.close().sync();
    }

    @Test
    void unknownClientCertificateIsRefused() throws Exception {
        Channel server = listen(alice, Set.of(bob.deviceId()));
        Future<Channel> client = connect(mallory, alice.deviceId(), server);
        // In TLS 1.3 the client finishes first; the server checks the client's certificate after that.
        Future<Channel> accepted = serverHandshakes.poll(10, TimeUnit.SECONDS);
        assertTrue(accepted.await(10, TimeUnit.SECONDS));
        assertFalse(accepted.isSuccess(), "alice never paired with mallory");
        assertTrue(client.await(10, TimeUnit.SECONDS));
        assertTrue(client.getNow() == null || client.getNow().closeFuture().await(10, TimeUnit.SECONDS),
                "mallory's link is closed");
        server.close().sync();
    }

    @Test
    void clientRefusesAServerThatIsNotTheDeviceItExpects() throws Exception {
        Channel server = listen(mallory, Set.of(bob.deviceId()));
        Future<Channel> handshake = connect(bob, alice.deviceId(), server);
        handshake.await(10, TimeUnit.SECONDS);
        assertFalse(handshake.isSuccess(), "bob wanted alice; mallory answered");
        // The JDK names the reason in its exception; BoringSSL's says "General OpenSslEngine problem" and keeps
        // PeerTrust's CertificateException as the cause.
        assertTrue(causes(handshake.cause()).contains("unknown device"), causes(handshake.cause()));
        server.close().sync();
    }

    private static String causes(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    private Channel listen(Identity self, Set<DeviceId> pinned) throws Exception {
        return LoopbackTls.listen(group, TlsContexts.server(self, new PeerTrust(pinned::contains)), serverHandshakes);
    }

    /** Connects and returns the future of the TLS handshake, completed with the channel. */
    private Future<Channel> connect(Identity self, DeviceId expected, Channel server) throws Exception {
        return LoopbackTls.connect(group, TlsContexts.client(self, new PeerTrust(expected::equals)), server);
    }
}
