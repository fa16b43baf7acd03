package dev.mirror.wire;

import dev.mirror.identity.Identity;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds the TLS contexts of a link: TLS 1.3 only, this device's certificate on both sides (the inviting side
 * requires one from the joiner), and {@link PeerTrust} in place of any certificate authority.
 *
 * <p>The TLS engine is BoringSSL (netty-tcnative) where its native library loads on this platform, else the JDK's;
 * both speak the same TLS 1.3, so peers using different engines link as usual.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    private static final String TLS_1_3 = "TLSv1.3";
    private static final AtomicBoolean PREPARING = new AtomicBoolean();
    /**
     * The type of the in-memory key store Netty puts our key into. The JDK's default, PKCS12, protects the key with
     * 10,000 rounds of PBKDF2 when it is stored and again when it is read: on a fresh JVM that is interpreted code
     * and a large compile, a quarter of a second of a peer's start. JKS protects it with one cheap pass; the store
     * never leaves memory, so its protection buys nothing.
     */
    private static final String KEY_STORE_TYPE = "JKS";

    private TlsContexts() {
    }

    /**
     * Starts choosing the TLS engine on a thread of its own and returns at once. Loading BoringSSL and checking that
     * it speaks TLS 1.3 takes about a tenth of a second of a fresh peer's start; a peer calls this first, so that the
     * choice is made while it opens its folder. The first use of {@link #server} or {@link #client} waits for the
     * choice if it is still under way: the choice is {@link Engine}'s initialisation, which the JVM runs once while
     * other threads wait for it. Only the first call starts a thread.
     */
    public static void prepareInBackground() {
        if (PREPARING.getAndSet(true)) {
            return;
        }
        Thread thread = new Thread(Engine::touch, "mirror-tls-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /** For the side that accepts connections: it requires and checks the connecting device's certificate. */
    public static SslContext server(Identity identity, PeerTrust trust) throws SSLException {
        return server(identity, trust, Engine.PROVIDER);
    }

    /** For the side that connects: it presents its certificate and checks the one it reaches. */
    public static SslContext client(Identity identity, PeerTrust trust) throws SSLException {
        return client(identity, trust, Engine.PROVIDER);
    }

    static SslContext server(Identity identity, PeerTrust trust, SslProvider provider) throws SSLException {
        return SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                .keyStoreType(KEY_STORE_TYPE).sslProvider(provider).protocols(TLS_1_3).clientAuth(ClientAuth.REQUIRE)
                .trustManager(trust).build();
    }

    static SslContext client(Identity identity, PeerTrust trust, SslProvider provider) throws SSLException {
        return SslContextBuilder.forClient().keyManager(identity.privateKey(), identity.certificate())
                .keyStoreType(KEY_STORE_TYPE).sslProvider(provider).protocols(TLS_1_3).trustManager(trust).build();
    }

    /** The TLS engine {@link #server} and {@link #client} use. */
    static SslProvider provider() {
        return Engine.PROVIDER;
    }

    /** The device at the other end of an established session. */
    public static dev.mirror.core.DeviceId peerOf(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        return dev.mirror.core.DeviceId.of((X509Certificate) chain[0]);
    }

    /** The engine chosen, in a class of its own so that using {@link TlsContexts} does not make the choice. */
    private static final class Engine {
        static final SslProvider PROVIDER = choose();

        private Engine() {
        }

        /** Does nothing; calling it makes the JVM initialise the class, that is, choose. */
        static void touch() {
        }

        private static SslProvider choose() {
            if (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
                LOG.debug("TLS engine: {} via netty-tcnative", OpenSsl.versionString());
                return SslProvider.OPENSSL;
            }
            // Missing jar, a platform without a native build, or a library that would not load: the JDK does the
            // same job.
            LOG.debug("TLS engine: the JDK's (BoringSSL unavailable: {})",
                    String.valueOf(OpenSsl.unavailabilityCause()));
            return SslProvider.JDK;
        }
    }
}
