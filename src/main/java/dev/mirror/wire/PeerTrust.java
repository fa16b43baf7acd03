package dev.mirror.wire;

import dev.mirror.core.DeviceId;

import javax.net.ssl.X509TrustManager;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;

/**
 * Decides, during the TLS handshake, whether the other side's certificate may be talked to. There is no certificate
 * authority: a device is its certificate's fingerprint ({@link DeviceId}), and a peer is trusted only if that ID is
 * pinned (or, on the inviting side, while an invite is outstanding — the secret is checked right after the
 * handshake). Anything else fails the handshake, before a single frame is read. Thread-safe if the predicate is.
 */
public final class PeerTrust implements X509TrustManager {
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final Predicate<DeviceId> accepted;

    /** @param accepted whether a device with this ID may complete a handshake */
    public PeerTrust(Predicate<DeviceId> accepted) {
        this.accepted = accepted;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw new CertificateException("a peer presents exactly one self-signed certificate, not "
                    + (chain == null ? 0 : chain.length));
        }
        X509Certificate certificate = chain[0];
        certificate.checkValidity();
        try {
            // Self-signed: proves the peer holds the key the fingerprint names.
            certificate.verify(certificate.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new CertificateException("the peer's certificate is not signed by its own key", e);
        }
        DeviceId device = DeviceId.of(certificate);
        if (!accepted.test(device)) {
            throw new CertificateException("unknown device " + device + ": not paired with this folder");
        }
    }
}
