package dev.mirror.wire;

import dev.mirror.core.DeviceId;
import dev.mirror.identity.Identity;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JDK's TLS and BoringSSL link with each other, and with themselves, under {@link PeerTrust}: a peer on a
 * platform without the native library (JDK) still reaches one with it (OPENSSL), and the other way round; and
 * each refuses a device it was not told to trust, on either side of the link.
 */
@Tag("e2e")
@Timeout(60)
class TlsProvidersTest {
    private final BlockingQueue<Future<Channel>> serverHandshakes = new LinkedBlockingQueue<>();
    private EventLoopGroup group;
    private Identity alice;
    private Identity bob;
    private Identity mallory;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        assumeTrue(OpenSsl.isAvailable(), () -> "BoringSSL is not available here: " + OpenSsl.unavailabilityCause());
        group = new NioEventLoopGroup(2);
        alice = Identity.loadOrCreate(dir.resolve("alice"));
        bob = Identity.loadOrCreate(dir.resolve("bob"));
        mallory = Identity.loadOrCreate(dir.resolve("mallory"));
    }

    @AfterEach
    void stop() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest(name = "client {0}, server {1}")
    @CsvSource({"JDK, OPENSSL", "OPENSSL, JDK", "OPENSSL, OPENSSL", "JDK, JDK"})
    void pinnedDevicesLinkAndSeeEachOthersIds(SslProvider clientSide, SslProvider serverSide) throws Exception {
        Channel server = listen(alice, bob.deviceId(), serverSide);
        Future<Channel> client = connect(bob, alice.deviceId(), server, clientSide);
        assertTrue(client.await(10, TimeUnit.SECONDS) && client.isSuccess(), String.valueOf(client.cause()));
        Future<Channel> accepted = serverHandshakes.poll(10, TimeUnit.SECONDS);
        assertTrue(accepted.await(10, TimeUnit.SECONDS) && accepted.isSuccess(), String.valueOf(accepted.cause()));

        var clientSession = client.getNow().pipeline().get(SslHandler.class).engine().getSession();
        var serverSession = accepted.getNow().pipeline().get(SslHandler.class).engine().getSession();
        assertEquals(alice.deviceId(), TlsContexts.peerOf(clientSession));
        assertEquals(bob.deviceId(), TlsContexts.peerOf(serverSession));
        assertEquals("TLSv1.3", clientSession.getProtocol());
        assertEquals("TLSv1.3", serverSession.getProtocol());
        server.close().sync();
    }

    @ParameterizedTest(name = "client {0}, server {1}")
    @CsvSource({"JDK, OPENSSL", "OPENSSL, JDK", "OPENSSL, OPENSSL", "JDK, JDK"})
    void theServerRefusesAnUnknownClient(SslProvider clientSide, SslProvider serverSide) throws Exception {
        Channel server = listen(alice, bob.deviceId(), serverSide);
        Future<Channel> client = connect(mallory, alice.deviceId(), server, clientSide);
        Future<Channel> accepted = serverHandshakes.poll(10, TimeUnit.SECONDS);
        assertTrue(accepted.await(10, TimeUnit.SECONDS));
        assertFalse(accepted.isSuccess(), "alice never paired with mallory");
        assertTrue(client.await(10, TimeUnit.SECONDS));
        assertTrue(client.getNow() == null || client.getNow().closeFuture().await(10, TimeUnit.SECONDS),
                "mallory's link is closed");
        server.close().sync();
    }

    @ParameterizedTest(name = "client {0}, server {1}")
    @CsvSource({"JDK, OPENSSL", "OPENSSL, JDK", "OPENSSL, OPENSSL", "JDK, JDK"})
    void theClientRefusesTheWrongServer(SslProvider clientSide, SslProvider serverSide) throws Exception {
        Channel server = listen(mallory, bob.deviceId(), serverSide);
        Future<Channel> client = connect(bob, alice.deviceId(), server, clientSide);
        client.await(10, TimeUnit.SECONDS);
        assertFalse(client.isSuccess(), "bob wanted alice; mallory answered");
        assertTrue(LinkGuard.reason(new io.netty.handler.codec.DecoderException(client.cause()))
                .contains("unknown device " + mallory.deviceId()), String.valueOf(client.cause()));
        server.close().sync();
    }

    @org.junit.jupiter.api.Test
    void boringSslIsTheDefaultWhereItLoads() {
        assertEquals(SslProvider.OPENSSL, TlsContexts.provider());
    }

    private Channel listen(Identity self, DeviceId pinned, SslProvider provider) throws Exception {
        SslContext context = TlsContexts.server(self, new PeerTrust(pinned::equals), provider);
        return LoopbackTls.listen(group, context, serverHandshakes);
    }

    /** Connects and returns the future of the TLS handshake, completed with the channel. */
    private Future<Channel> connect(Identity self, DeviceId expected, Channel server, SslProvider provider)
            throws Exception {
        return LoopbackTls.connect(group, TlsContexts.client(self, new PeerTrust(expected::equals), provider), server);
    }
}
