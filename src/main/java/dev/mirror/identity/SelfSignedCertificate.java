package dev.mirror.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A fresh ECDSA P-256 key pair and the self-signed X.509 certificate that carries its public half: the material a
 * device ID is computed from. Immutable; {@link #generate} may run on any thread.
 *
 * @param privateKey the PKCS#8-encodable private key
 * @param certificate the certificate, as parsed by the JDK from its DER encoding
 */
record SelfSignedCertificate(PrivateKey privateKey, X509Certificate certificate) {
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    static final String SUBJECT = "CN=mirror";
    private static final String CURVE = "secp256r1";
    private static final int SERIAL_BITS = 128;
    /** Backdated so that a peer whose clock runs a little behind still accepts the certificate. */
    private static final Duration BACKDATE = Duration.ofDays(1);
    /** Long enough never to expire in practice: expiry would change nothing but force everyone to pair again. */
    private static final int VALIDITY_YEARS = 20;

    SelfSignedCertificate {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
    }

    /**
     * Makes a new key pair and has BouncyCastle build its certificate, signed by the JDK's own ECDSA. BouncyCastle's
     * provider is left out on purpose: instantiating it loads and verifies (bcprov is a signed jar) hundreds of
     * classes; without it {@code mirror id} on a fresh folder takes 0.5 s instead of 0.7-0.9 s.
     */
    static SelfSignedCertificate generate(Clock clock, SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            KeyPair keyPair = generator.generateKeyPair();

            // X.509 keeps whole seconds; truncating here makes the dates read back exactly as computed.
            Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE);
            Instant notAfter = notBefore.atZone(ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
            // RFC 5280 wants a positive serial; zero has a chance of 2^-128 but costs nothing to rule out.
            BigInteger serial = new BigInteger(SERIAL_BITS, random).max(BigInteger.ONE);
            X500Name subject = new X500Name(SUBJECT);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(notBefore), Date.from(notAfter), subject, keyPair.getPublic());
            // Stated uses, so TLS stacks that honour them accept the certificate on both ends of a link.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            byte[] der = builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM)
                    .setSecureRandom(random)
                    .build(keyPair.getPrivate())).getEncoded();

            // Parsed back by the JDK so that a fresh certificate is the same kind of object as a loaded one.
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new SelfSignedCertificate(keyPair.getPrivate(), certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            // Every JDK has EC P-256, SHA256withECDSA and X.509, and nothing here touches a disk.
            throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }
}
