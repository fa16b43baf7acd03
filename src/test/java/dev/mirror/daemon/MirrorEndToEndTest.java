package dev.mirror.daemon;

import dev.mirror.identity.Invite;
import dev.mirror.identity.InviteBook;
import dev.mirror.identity.InviteSecret;
import dev.mirror.sync.ConflictName;
import dev.mirror.testing.Await;
import dev.mirror.testing.TestFolders;
import dev.mirror.testing.HandClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real peers in one JVM — real TLS on loopback, real folders, the periodic rescan — checked by what ends up on
 * disk and by {@code status}: first mirror, changes, deletes and conflicts, restarts, overlapping content, and the
 * pairing refusals (no invite, forged, reused, expired).
 */
@Timeout(60)
class MirrorEndToEndTest extends EndToEndTest {
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final Instant T0 = Instant.parse("2024-03-05T14:15:16.500Z");

    @Test
    void joinerMirrorsAMixedTreeExactly() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        TestFolders.write(a, "docs/readme.txt", "hello\n");
        TestFolders.write(a, "docs/nested/deeper/data.bin", TestFolders.randomBytes(1, 100_000));
        Files.createDirectories(a.resolve("empty"));
        Files.createDirectories(a.resolve("x/y/z"));
        executable(TestFolders.write(a, "run.sh", "#!/bin/sh\necho hi\n"));
        Files.setPosixFilePermissions(TestFolders.write(a, "private.txt", "mine"),
                PosixFilePermissions.fromString("rw-------"));
        TestFolders.write(a, "é/naïve café.txt", "crème brûlée");
        TestFolders.write(a, "日本語.md", "# 見出し");
        TestFolders.write(a, "empty.txt", new byte[0]);
        Files.createSymbolicLink(a.resolve("link"), Path.of("docs/readme.txt"));
        Daemon inviter = start(a, Optional.empty());

        Daemon joiner = start(b, Optional.of(inviter.invite()));

        awaitConverged(inviter, joiner, () -> true, "the joiner to mirror the mixed tree");
        assertEquals(tree(a), tree(b));
        assertEquals(inviter.root(), joiner.root());
        assertEquals(Path.of("docs/readme.txt"), Files.readSymbolicLink(b.resolve("link")));
        assertTrue(Files.isExecutable(b.resolve("run.sh")));
    }

    @Test
    void smallFilesOfManyRepliesArriveWholeAndOnce() throws Exception {
        // More small files than one chunk list reply carries: a serving thread reads each reply's files into memory
        // of its own and must have encoded that reply before it reads the next one's there. Bytes that changed on the
        // way would fail the joiner's check and be fetched again by chunks: the copy would still be right, but the
        // joiner would receive them twice.
        Path a = folder("a");
        Path b = folder("b");
        long total = 0;
        for (int i = 0; i < 240; i++) {
            TestFolders.write(a, "d" + i % 4 + "/f" + i + ".bin", TestFolders.randomBytes(i, 30_000 + i));
            total += 30_000 + i;
        }
        long sent = total;
        Daemon inviter = start(a, Optional.empty());

        Daemon joiner = start(b, Optional.of(inviter.invite()));

        awaitConverged(inviter, joiner, () -> true, "the joiner to mirror 240 small files");
        assertEquals(tree(a), tree(b));
        long received = onlyPeer(joiner).bytesIn();
        assertTrue(received < sent * 11 / 10, () -> "the joiner received " + received + " bytes for " + sent);
    }

    @Test
    void changeDeleteAndConcurrentEditConvergeWithTheConflictCopyOnBothSides() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        TestFolders.write(a, "notes.txt", "base");
        TestFolders.write(a, "keep.txt", "first");
        TestFolders.write(a, "sub/gone.txt", "doomed");
        Daemon inviter = start(a, Optional.empty());
        Daemon joiner = start(b, Optional.of(inviter.invite()));
        awaitConverged(inviter, joiner, () -> Files.exists(b.resolve("sub/gone.txt")), "the first mirror");

        Instant loserMtime = T0;
        replace(a, "notes.txt", "from a", T0.plusSeconds(3600));
        replace(b, "notes.txt", "from b", loserMtime);
        replace(a, "keep.txt", "second", T0);
        Files.delete(b.resolve("sub/gone.txt"));

        String copy = ConflictName.of("notes.txt", loserMtime.getEpochSecond() * 1_000_000_000L
                + loserMtime.getNano(), joiner.deviceId().shortId());
        awaitConverged(inviter, joiner, () -> Files.exists(a.resolve(copy)) && Files.exists(b.resolve(copy))
                && !Files.exists(a.resolve("sub/gone.txt")) && content(b, "keep.txt").equals("second")
                && tree(a).equals(tree(b)), "the change, the delete and the conflict on both sides");
        for (Path side : List.of(a, b)) {
            assertEquals("from a", content(side, "notes.txt"), side::toString);
            assertEquals("from b", content(side, copy), side::toString);
            assertFalse(Files.exists(side.resolve("sub/gone.txt")), side::toString);
        }
        assertEquals(tree(a), tree(b));
    }

    @Test
    void peersReconnectAfterEitherRestarts() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        TestFolders.write(a, "start.txt", "start");
        Daemon inviter = start(a, Optional.empty());
        int port = inviter.boundAddress().port();
        Daemon joiner = start(b, Optional.of(inviter.invite()));
        awaitConverged(inviter, joiner, () -> Files.exists(b.resolve("start.txt")), "the first mirror");

        inviter.close();
        Await.until(CONVERGE, () -> !onlyPeer(joiner).connected(), "the joiner to see the inviter gone");
        TestFolders.write(b, "while-a-was-down.txt", "from b");
        Daemon inviterAgain = start(a, "127.0.0.1:" + port, TestFolders.AHEAD, Optional.empty());

        awaitConverged(inviterAgain, joiner, () -> Files.exists(a.resolve("while-a-was-down.txt")),
                "the joiner to redial the restarted inviter");

        joiner.close();
        Await.until(CONVERGE, () -> !onlyPeer(inviterAgain).connected(), "the inviter to see the joiner gone");
        TestFolders.write(a, "while-b-was-down.txt", "from a");
        Daemon joinerAgain = start(b, Optional.empty());

        awaitConverged(inviterAgain, joinerAgain, () -> Files.exists(b.resolve("while-b-was-down.txt")),
                "the restarted joiner to dial the inviter from its peer book");
        assertEquals(tree(a), tree(b));
    }

    @Test
    void identicalContentOnBothSidesIsRecognisedNotSent() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        byte[] big = TestFolders.randomBytes(7, 4 * 1024 * 1024);
        for (Path side : List.of(a, b)) {
            TestFolders.setMtime(TestFolders.write(side, "big.bin", big), T0);
            TestFolders.setMtime(TestFolders.write(side, "same/small.txt", "same"), T0);
        }
        TestFolders.write(a, "only-a.txt", "a");
        TestFolders.write(b, "only-b.txt", "b");
        Daemon inviter = start(a, Optional.empty());

        Daemon joiner = start(b, Optional.of(inviter.invite()));

        awaitConverged(inviter, joiner, () -> Files.exists(a.resolve("only-b.txt"))
                && Files.exists(b.resolve("only-a.txt")), "both sides to hold the union");
        assertEquals(tree(a), tree(b));
        assertFalse(tree(a).keySet().stream().anyMatch(name -> name.contains("sync-conflict")), tree(a)::toString);
        assertArrayEquals(big, Files.readAllBytes(b.resolve("big.bin")));
        long limit = 64 * 1024;
        assertTrue(onlyPeer(joiner).bytesIn() < limit, () -> "the joiner received " + onlyPeer(joiner).bytesIn());
        assertTrue(onlyPeer(inviter).bytesIn() < limit, () -> "the inviter received " + onlyPeer(inviter).bytesIn());
    }

    @Test
    void unknownDeviceIsRefusedWhenNoInviteIsOutstanding() throws Exception {
        Path a = folder("a");
        TestFolders.write(a, "secret.txt", "not for strangers");
        Daemon inviter = start(a, Optional.empty());
        Invite guessed = new Invite(inviter.boundAddress(), inviter.deviceId(), InviteSecret.random());

        assertRefused(inviter, a, guessed);
    }

    @Test
    void forgedSecretIsRefusedAndTheRealInviteStaysValid() throws Exception {
        Path a = folder("a");
        TestFolders.write(a, "secret.txt", "not for strangers");
        Daemon inviter = start(a, Optional.empty());
        Invite real = inviter.invite();
        Invite forged = new Invite(real.address(), real.inviter(), InviteSecret.random());

        assertRefused(inviter, a, forged);

        Path c = folder("c");
        Daemon honest = start(c, Optional.of(real));
        awaitConverged(inviter, honest, () -> Files.exists(c.resolve("secret.txt")), "the real invite to pair");
    }

    @Test
    void reusedInviteIsRefused() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        TestFolders.write(a, "secret.txt", "not for strangers");
        Daemon inviter = start(a, Optional.empty());
        Invite once = inviter.invite();
        Daemon first = start(b, Optional.of(once));
        awaitConverged(inviter, first, () -> Files.exists(b.resolve("secret.txt")), "the first joiner to pair");
        // Another invite is outstanding, so the second joiner passes TLS and its used secret is what is refused.
        inviter.invite();

        Daemon stranger = assertRefused(inviter, a, once);
        assertEquals(1, inviter.status().peers().size(), inviter.status()::toString);
        assertTrue(stranger.stopReason().orElseThrow().contains("refused the invite"), stranger.stopReason()::get);
    }

    @Test
    void expiredInviteIsRefused() throws Exception {
        Path a = folder("a");
        TestFolders.write(a, "secret.txt", "not for strangers");
        HandClock clock = HandClock.following(TestFolders.AHEAD);
        Daemon inviter = start(a, "127.0.0.1:0", clock, Optional.empty());
        Invite stale = inviter.invite();
        clock.advance(InviteBook.DEFAULT_LIFETIME.plusMinutes(1));
        // A fresh invite is outstanding, so the joiner passes TLS and its expired secret is what is refused.
        inviter.invite();

        assertRefused(inviter, a, stale);
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private Path folder(String name) throws IOException {
        return peers.folder(name);
    }

    private Daemon start(Path dir, Optional<Invite> join) throws Exception {
        return peers.start(dir, join);
    }

    private Daemon start(Path dir, String listen, Clock clock, Optional<Invite> join) throws Exception {
        return peers.start(dir, listen, clock, RunningPeers.RESCAN, join);
    }

    /**
     * Starts a joiner with {@code invite}, waits until its dial has been turned away at least once, and checks that
     * nobody paired: no peer in either status, the inviter's peer book unchanged, nothing mirrored.
     */
    private Daemon assertRefused(Daemon inviter, Path inviterDir, Invite invite) throws Exception {
        Optional<byte[]> peersBefore = peersFile(inviterDir);
        int pairedBefore = inviter.status().peers().size();
        Path dir = Files.createTempDirectory(temp, "stranger");
        Daemon stranger = start(dir, Optional.of(invite));
        PeerState attempt = stranger.state(invite.inviter());

        // Refused by TLS (nothing to tell a network error from): it dials again later. Refused by the inviter's
        // check of the secret: it gives up and stops, since it is paired with nobody else.
        Await.until(CONVERGE, () -> attempt.nextRetry != null || stranger.stopReason().isPresent(),
                "the stranger's dial to be turned away");

        assertEquals(pairedBefore, inviter.status().peers().size(), inviter.status()::toString);
        assertFalse(inviter.status().peers().stream().anyMatch(p -> p.device().equals(stranger.deviceId())));
        assertEquals(List.of(), stranger.status().peers(), stranger.status()::toString);
        assertEquals(peersBefore.map(HexFormat.of()::formatHex), peersFile(inviterDir).map(HexFormat.of()::formatHex));
        assertEquals(Optional.empty(), peersFile(dir), "the stranger pinned the inviter");
        assertFalse(Files.exists(dir.resolve("secret.txt")), "the stranger got a file");
        return stranger;
    }

    private static Optional<byte[]> peersFile(Path dir) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(".mirror").resolve(PeerBook.FILE)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void awaitConverged(Daemon x, Daemon y, java.util.function.BooleanSupplier also, String description) {
        peers.awaitConverged(x, y, also, description);
    }

    private static StatusReport.PeerStatus onlyPeer(Daemon daemon) {
        List<StatusReport.PeerStatus> peers = daemon.status().peers();
        assertEquals(1, peers.size(), peers::toString);
        return peers.get(0);
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Puts {@code content} with {@code mtime} at {@code relative} in one rename, so no scan sees it half made. */
    private void replace(Path folder, String relative, String content, Instant mtime) throws IOException {
        Path staged = Files.createTempFile(temp, "staged", ".tmp");
        Files.writeString(staged, content);
        TestFolders.setMtime(staged, mtime);
        Files.move(staged, folder.resolve(relative), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static String content(Path folder, String relative) {
        try {
            return Files.readString(folder.resolve(relative));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /**
     * Everything under {@code root} but {@code .mirror}, by relative path: kind, permissions, and for a file its
     * mtime and content digest, for a symlink its target. Directory mtimes are not mirrored, so not compared.
     */
    private static Map<String, String> tree(Path root) {
        Map<String, String> entries = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (dir.equals(root.resolve(".mirror"))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!dir.equals(root)) {
                        entries.put(root.relativize(dir).toString(), "dir " + permissions(dir));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = root.relativize(file).toString();
                    if (attrs.isSymbolicLink()) {
                        entries.put(name, "link -> " + Files.readSymbolicLink(file));
                    } else {
                        entries.put(name, "file " + permissions(file) + " " + attrs.lastModifiedTime().toInstant()
                                + " " + digest(Files.readAllBytes(file)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
