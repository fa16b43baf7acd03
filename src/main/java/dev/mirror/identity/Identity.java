package dev.mirror.identity;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.mirror.core.DeviceId;
import dev.mirror.core.DurableFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device's key pair and certificate, kept in {@code DIR/.mirror/identity/} and created on first use, and the
 * device ID they give. The private key and certificate are what a TLS context needs. Immutable and safe to share
 * between threads; {@link #loadOrCreate} serializes callers in this JVM and locks the directory against other
 * processes (a {@code mirror id} run while {@code mirror serve} creates the identity).
 */
public final class Identity {
    static final String DIRECTORY = "identity";
    static final String KEY_FILE = "key.pem";
    static final String CERT_FILE = "cert.pem";
    static final String LOCK_FILE = "lock";
    static final String TEMP_SUFFIX = DurableFiles.TEMP_SUFFIX;
    private static final Logger LOG = LoggerFactory.getLogger(Identity.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Both files are well under 1 KiB; a far larger one was replaced by something else, so don't read it all. */
    private static final long MAX_FILE_BYTES = 64 * 1024;

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final DeviceId deviceId;

    private Identity(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.deviceId = DeviceId.of(certificate);
    }

    /** {@link #loadOrCreate(Path, Clock)} with the system clock. */
    public static Identity loadOrCreate(Path stateDir) throws IOException {
        return loadOrCreate(stateDir, Clock.systemUTC());
    }

    /**
     * Loads the identity in {@code stateDir/identity/}, or creates it if there is none or only the key of an
     * interrupted first start. Creation is crash-safe: each file is written to a temp name, fsynced, renamed into
     * place and the directory fsynced, key before certificate, so a crash at any instant leaves no identity, a key
     * alone (both are made again), or a complete identity. A key file readable by others is tightened to 0600.
     *
     * @param stateDir the folder's {@code .mirror/} directory; created if missing
     * @param clock dates the certificate if one is created
     * @throws IdentityException if a file is damaged, unreadable, or the two files do not belong together
     */
    public static synchronized Identity loadOrCreate(Path stateDir, Clock clock) throws IOException {
        Files.createDirectories(stateDir);
        if (Files.getFileAttributeView(stateDir, PosixFileAttributeView.class) == null) {
            throw new IdentityException(stateDir, "Cannot keep an identity in " + stateDir
                    + ": its file system has no owner-only permissions (POSIX) to protect the private key");
        }
        Path dir = stateDir.resolve(DIRECTORY);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            DurableFiles.syncDirectory(stateDir);
        } catch (FileAlreadyExistsException e) {
            tightenPermissions(dir, OWNER_ONLY_DIRECTORY);
        }
        // The synchronized method keeps two threads of this JVM apart (a second lock() from one JVM would throw);
        // the file lock keeps other processes apart.
        try (FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(CREATE, WRITE), ownerOnly())) {
            lockChannel.lock();  // Released when the channel closes.
            return loadOrCreateLocked(dir, clock);
        }
    }

    public DeviceId deviceId() {
        return deviceId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Names the device only; the key never appears in logs. */
    @Override
    public String toString() {
        return "Identity[" + deviceId + "]";
    }

    private static Identity loadOrCreateLocked(Path dir, Clock clock) throws IOException {
        deleteTempFiles(dir);
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        boolean hasKey = Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS);
        boolean hasCert = Files.exists(certFile, LinkOption.NOFOLLOW_LINKS);
        if (hasKey && hasCert) {
            tightenPermissions(keyFile, OWNER_ONLY_FILE);
            return load(keyFile, certFile);
        }
        if (hasCert) {
            // The key is written first, so no interrupted start leaves a certificate alone: someone removed the key.
            throw IdentityException.unusable(keyFile, keyFile + " is missing but " + CERT_FILE + " is there", null);
        }
        if (hasKey) {
            // Never shown to anyone: without a certificate no device ID was computed, so no peer can know it.
            LOG.warn("{} has no {} beside it: an earlier first start was interrupted; creating a new identity",
                    keyFile, CERT_FILE);
        }
        return create(dir, keyFile, certFile, clock);
    }

    /** Leftovers of a start killed mid-write; the lock guarantees no live writer owns them. */
    private static void deleteTempFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                LOG.debug("Deleting {}, left by an interrupted start", temp);
                Files.delete(temp);
            }
        }
    }

    private static void tightenPermissions(Path path, Set<PosixFilePermission> ownerOnly) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (permissions.stream().anyMatch(OTHERS::contains)) {
            LOG.warn("{} was {}, open to other users; set it to {}", path,
                    PosixFilePermissions.toString(permissions), PosixFilePermissions.toString(ownerOnly));
            Files.setPosixFilePermissions(path, ownerOnly);
        }
    }

    private static Identity create(Path dir, Path keyFile, Path certFile, Clock clock) throws IOException {
        SelfSignedCertificate fresh = SelfSignedCertificate.generate(clock, new SecureRandom());
        byte[] certDer;
        try {
            certDer = fresh.certificate().getEncoded();
        } catch (CertificateException e) {
            throw new IllegalStateException("a certificate just parsed from DER cannot be re-encoded", e);
        }
        DurableFiles.replace(keyFile, Pem.encode(Pem.PRIVATE_KEY, fresh.privateKey().getEncoded()));
        DurableFiles.replace(certFile, Pem.encode(Pem.CERTIFICATE, certDer));
        // Read back through the path every later start takes, so this run and the next see the same identity.
        Identity identity = load(keyFile, certFile);
        LOG.info("Created a new identity in {}: device ID {}", dir, identity.deviceId());
        return identity;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }


    private static Identity load(Path keyFile, Path certFile) throws IOException {
        PrivateKey key = parseKey(Pem.decode(Pem.PRIVATE_KEY, read(keyFile), keyFile), keyFile);
        X509Certificate certificate = parseCertificate(Pem.decode(Pem.CERTIFICATE, read(certFile), certFile), certFile);
        checkKeyMatches(key, certificate, keyFile);
        return new Identity(key, certificate);
    }

    private static byte[] read(Path file) throws IOException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw IdentityException.damaged(file, "it has " + size + " bytes, far more than a key or certificate");
            }
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new IdentityException(file, "Cannot read " + file
                    + ": permission denied; run mirror as the user who owns it", e);
        }
    }

    private static PrivateKey parseKey(byte[] der, Path keyFile) throws IdentityException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw IdentityException.damaged(keyFile,
                    "it does not hold a PKCS#8 EC private key (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has EC keys", e);
        }
    }

    private static X509Certificate parseCertificate(byte[] der, Path certFile) throws IdentityException {
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw IdentityException.damaged(certFile,
                    "it does not hold an X.509 certificate (" + e.getMessage() + ")", e);
        }
        try {
            // Catches bit flips that still parse: the ID would silently change with them.
            certificate.verify(certificate.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw IdentityException.damaged(certFile, "its signature does not verify (" + e.getMessage() + ")", e);
        }
        return certificate;
    }

    /** Signs a random challenge with the key and verifies it with the certificate: works for any key encoding. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate certificate, Path keyFile)
            throws IdentityException {
        String reason = "it does not belong to " + CERT_FILE + " (a signature made with it fails to verify with the"
                + " certificate's public key)";
        try {
            byte[] challenge = randomBytes();
            Signature signer = Signature.getInstance(SelfSignedCertificate.SIGNATURE_ALGORITHM);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SelfSignedCertificate.SIGNATURE_ALGORITHM);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw IdentityException.damaged(keyFile, reason);
            }
        } catch (GeneralSecurityException e) {
            throw IdentityException.damaged(keyFile, reason + ": " + e.getMessage(), e);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
    }
}
