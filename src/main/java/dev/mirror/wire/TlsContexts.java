package dev.mirror.wire;

import dev.mirror.identity.Identity;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * Builds the TLS contexts of a link: TLS 1.3 only, this device's certificate on both sides (the inviting side
 * requires one from the joiner), and {@link PeerTrust} in place of any certificate authority.
 */
public final class TlsContexts {
    private static final String TLS_1_3 = "TLSv1.3";

    private TlsContexts() {
    }

    /** For the side that accepts connections: it requires and checks the connecting device's certificate. */
    public static SslContext server(Identity identity, PeerTrust trust) throws SSLException {
        return SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                .sslProvider(SslProvider.JDK).protocols(TLS_1_3).clientAuth(ClientAuth.REQUIRE)
                .trustManager(trust).build();
    }

    /** For the side that connects: it presents its certificate and checks the one it reaches. */
    public static SslContext client(Identity identity, PeerTrust trust) throws SSLException {
        return SslContextBuilder.forClient().keyManager(identity.privateKey(), identity.certificate())
                .sslProvider(SslProvider.JDK).protocols(TLS_1_3).trustManager(trust).build();
    }

    /** The device at the other end of an established session. */
    public static dev.mirror.core.DeviceId peerOf(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        return dev.mirror.core.DeviceId.of((X509Certificate) chain[0]);
    }
}
