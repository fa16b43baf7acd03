package dev.mirror.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class IdentityTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T12:34:56.789Z"), ZoneOffset.UTC);

    @TempDir
    Path stateDir;

    @Test
    void firstUseCreatesOwnerOnlyFilesInPem() throws IOException {
        Identity.loadOrCreate(stateDir);
        Path dir = stateDir.resolve("identity");
        assertEquals("rwx------", permissions(dir));
        assertEquals("rw-------", permissions(dir.resolve("key.pem")));
        assertEquals("rw-------", permissions(dir.resolve("cert.pem")));
        assertTrue(Files.readString(dir.resolve("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(dir.resolve("cert.pem")).startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertEquals(List.of("cert.pem", "key.pem", "lock"), fileNames(dir));
    }

    @Test
    void loadingTwiceGivesTheSameIdentity() throws Exception {
        Identity first = Identity.loadOrCreate(stateDir);
        Identity second = Identity.loadOrCreate(stateDir);
        assertEquals(first.deviceId(), second.deviceId());
        assertEquals(first.certificate(), second.certificate());
        assertArrayEquals(first.privateKey().getEncoded(), second.privateKey().getEncoded());
    }

    @Test
    void anotherFolderGetsAnotherDeviceId(@TempDir Path otherStateDir) throws IOException {
        assertNotEquals(Identity.loadOrCreate(stateDir).deviceId(), Identity.loadOrCreate(otherStateDir).deviceId());
    }

    @Test
    void deviceIdIsTheSha256OfTheCertificateDer() throws Exception {
        Identity identity = Identity.loadOrCreate(stateDir);
        assertEquals(Hash.sha256(identity.certificate().getEncoded()), identity.deviceId().hash());
        assertEquals(identity.deviceId(), DeviceId.parse(identity.deviceId().toString()));
    }

    @Test
    void certificateIsASelfSignedP256CertificateValidForTwentyYears() throws Exception {
        X509Certificate certificate = Identity.loadOrCreate(stateDir, CLOCK).certificate();
        certificate.verify(certificate.getPublicKey());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals("1.2.840.10045.4.3.2", certificate.getSigAlgOID());
        assertEquals(3, certificate.getVersion());
        assertEquals("CN=mirror", certificate.getSubjectX500Principal().getName());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        ECPublicKey publicKey = (ECPublicKey) certificate.getPublicKey();
        assertEquals(256, publicKey.getParams().getCurve().getField().getFieldSize());
        assertEquals(Instant.parse("2025-02-28T12:34:56Z"), certificate.getNotBefore().toInstant());
        assertEquals(Instant.parse("2045-02-28T12:34:56Z"), certificate.getNotAfter().toInstant());
        BigInteger serial = certificate.getSerialNumber();
        assertTrue(serial.signum() > 0 && serial.bitLength() <= 128, serial.toString(16));
        assertEquals(-1, certificate.getBasicConstraints());
        assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
        assertTrue(certificate.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
    }

    @Test
    void privateKeySignsWhatTheCertificateVerifies() throws Exception {
        Identity identity = Identity.loadOrCreate(stateDir);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(identity.privateKey());
        signer.update(message);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(identity.certificate());
        verifier.update(message);
        assertTrue(verifier.verify(signer.sign()));
    }

    @Test
    void permissionsOpenToOthersAreTightenedOnLoad() throws IOException {
        DeviceId id = Identity.loadOrCreate(stateDir).deviceId();
        Path dir = stateDir.resolve("identity");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(id, Identity.loadOrCreate(stateDir).deviceId());
        assertEquals("rwx------", permissions(dir));
        assertEquals("rw-------", permissions(dir.resolve("key.pem")));
    }

    /** Each state a kill -9 can leave during creation, and what the next start must find. */
    @Test
    void aTempFileAloneLeavesNoIdentityAndIsDeleted() throws IOException {
        Path dir = Files.createDirectories(stateDir.resolve("identity"));
        Files.writeString(dir.resolve("key.pem.0123456789abcdef.tmp"), "-----BEGIN PRIV");
        Identity identity = Identity.loadOrCreate(stateDir);
        assertEquals(List.of("cert.pem", "key.pem", "lock"), fileNames(dir));
        assertEquals(identity.deviceId(), Identity.loadOrCreate(stateDir).deviceId());
    }

    @Test
    void aKeyWithoutCertificateIsReplacedByANewIdentity() throws IOException {
        Identity.loadOrCreate(stateDir);
        Path dir = stateDir.resolve("identity");
        byte[] oldKey = Files.readAllBytes(dir.resolve("key.pem"));
        Files.delete(dir.resolve("cert.pem"));
        Files.writeString(dir.resolve("cert.pem.fedcba9876543210.tmp"), "-----BEGIN CERTIFICATE-----\nMIIB");
        Identity identity = Identity.loadOrCreate(stateDir);
        assertFalse(Arrays.equals(oldKey, Files.readAllBytes(dir.resolve("key.pem"))));
        assertEquals(List.of("cert.pem", "key.pem", "lock"), fileNames(dir));
        assertEquals(identity.deviceId(), Identity.loadOrCreate(stateDir).deviceId());
    }

    @Test
    void aCompleteIdentityWithALeftoverTempFileIsKept() throws IOException {
        DeviceId id = Identity.loadOrCreate(stateDir).deviceId();
        Path dir = stateDir.resolve("identity");
        Files.writeString(dir.resolve("cert.pem.0000000000000000.tmp"), "");
        assertEquals(id, Identity.loadOrCreate(stateDir).deviceId());
        assertEquals(List.of("cert.pem", "key.pem", "lock"), fileNames(dir));
    }

    @Test
    void aCertificateWithoutKeyIsAnErrorNotANewIdentity() throws IOException {
        Identity.loadOrCreate(stateDir);
        Path dir = stateDir.resolve("identity");
        Files.delete(dir.resolve("key.pem"));
        IdentityException e = assertThrows(IdentityException.class, () -> Identity.loadOrCreate(stateDir));
        assertEquals(dir.resolve("key.pem") + " is missing but cert.pem is there. Move " + dir
                + " away to create a new identity (peers will need to pair again).", e.getMessage());
    }

    @Test
    void keyAndCertificateOfTwoIdentitiesDoNotMix(@TempDir Path otherStateDir) throws IOException {
        Identity.loadOrCreate(stateDir);
        Identity.loadOrCreate(otherStateDir);
        Path dir = stateDir.resolve("identity");
        Files.copy(otherStateDir.resolve("identity/cert.pem"), dir.resolve("cert.pem"),
                StandardCopyOption.REPLACE_EXISTING);
        IdentityException e = assertThrows(IdentityException.class, () -> Identity.loadOrCreate(stateDir));
        assertEquals(dir.resolve("key.pem"), e.file());
        assertEquals(dir.resolve("key.pem") + " is damaged: it does not belong to cert.pem (a signature made with it"
                + " fails to verify with the certificate's public key). Move " + dir
                + " away to create a new identity (peers will need to pair again).", e.getMessage());
    }

    interface Damage {
        void apply(Path file) throws IOException;
    }

    record Case(String description, String file, Damage damage, String reason) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> damagedFiles() {
        return Stream.of(
                new Case("key.pem cut in half", "key.pem", IdentityTest::truncateToHalf,
                        "it ends before its '-----END PRIVATE KEY-----' line (truncated)"),
                new Case("cert.pem cut in half", "cert.pem", IdentityTest::truncateToHalf,
                        "it ends before its '-----END CERTIFICATE-----' line (truncated)"),
                new Case("cert.pem emptied", "cert.pem", file -> Files.write(file, new byte[0]), "it is empty"),
                new Case("key.pem overwritten with a certificate", "key.pem",
                        file -> Files.copy(file.resolveSibling("cert.pem"), file,
                                StandardCopyOption.REPLACE_EXISTING),
                        "it has no '-----BEGIN PRIVATE KEY-----' line"),
                new Case("a base64 character of key.pem turned into '!'", "key.pem",
                        file -> replaceBodyCharacter(file, 10, '!'),
                        "its base64 text is corrupt (Illegal base64 character 21)"),
                new Case("key.pem holding three zero bytes", "key.pem",
                        file -> Files.write(file, Pem.encode(Pem.PRIVATE_KEY, new byte[3])),
                        "it does not hold a PKCS#8 EC private key ("),
                new Case("cert.pem holding three zero bytes", "cert.pem",
                        file -> Files.write(file, Pem.encode(Pem.CERTIFICATE, new byte[3])),
                        "it does not hold an X.509 certificate ("),
                new Case("one character of the certificate's signature changed", "cert.pem",
                        IdentityTest::changeLastSignatureCharacter, "its signature does not verify ("));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damagedFiles")
    void aDamagedFileIsNamedWithWhatToDo(Case c) throws IOException {
        Identity.loadOrCreate(stateDir);
        Path dir = stateDir.resolve("identity");
        Path file = dir.resolve(c.file());
        c.damage().apply(file);
        IdentityException e = assertThrows(IdentityException.class, () -> Identity.loadOrCreate(stateDir));
        assertEquals(file, e.file());
        String prefix = file + " is damaged: " + c.reason();
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().endsWith(". Move " + dir
                + " away to create a new identity (peers will need to pair again)."), e.getMessage());
    }

    private static void truncateToHalf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    private static void replaceBodyCharacter(Path file, int offsetInBody, char replacement) throws IOException {
        String text = Files.readString(file);
        int index = text.indexOf('\n') + 1 + offsetInBody;
        Files.writeString(file, text.substring(0, index) + replacement + text.substring(index + 1));
    }

    /**
     * The signature ends the DER, so the last base64 characters before padding encode its final bytes; changing one
     * keeps the certificate parseable (an ECDSA signature's integers are still integers) but breaks the signature.
     */
    private static void changeLastSignatureCharacter(Path file) throws IOException {
        String text = Files.readString(file);
        int index = text.indexOf("\n-----END") - 1;
        while (text.charAt(index) == '=') {
            index--;
        }
        index--;  // The character before the last carries only signature bits, none of the padding.
        char replacement = text.charAt(index) == 'A' ? 'B' : 'A';
        Files.writeString(file, text.substring(0, index) + replacement + text.substring(index + 1));
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
