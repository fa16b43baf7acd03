package dev.mirror.daemon;

import dev.mirror.core.Hash;
import dev.mirror.core.NamedThreadFactory;
import dev.mirror.identity.Invite;
import dev.mirror.identity.PeerAddress;
import dev.mirror.scan.ScanProgress;
import dev.mirror.testing.Await;
import dev.mirror.testing.Processes;
import dev.mirror.testing.SlowProxy;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers that are cut or undermined (docs/writing.md, "Resuming"): a receiver killed with SIGKILL mid-file resumes
 * from its part after a restart, fetching less than the file; a file replaced again and again while it is sent is
 * only ever installed whole, as one of its versions, and both peers settle on the last.
 */
@Timeout(90)
class ResumeEndToEndTest extends EndToEndTest {
    private static final Duration CONVERGE = Duration.ofSeconds(40);
    private static final int BIG_BYTES = 48 << 20;
    /** A second and a half for the whole file: long enough to kill the receiver in the middle of it. */
    private static final long LINK_BYTES_PER_SECOND = 32L << 20;
    private static final long KILL_AFTER_PART_BYTES = 12L << 20;
    private static final int MOVING_BYTES = 4 << 20;
    /** Each version of the moving file is sent at this pace, so that the next one replaces it mid-file. */
    private static final long SLOW_LINK_BYTES_PER_SECOND = 8L << 20;
    private static final int REPLACEMENTS = 8;

    @Override
    Duration converge() {
        return CONVERGE;
    }

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process child : children) {
            if (child.isAlive()) {
                Processes.kill(child, Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aReceiverKilledMidFileResumesFromItsPartAndFetchesLessTheSecondTime() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        byte[] big = TestFolders.randomBytes(31, BIG_BYTES);
        TestFolders.write(a, "big.bin", big);
        Hash content = contentHash(a, "big.bin");
        Hash whole = Hash.sha256(big);
        Daemon sender = start(a, Optional.empty());
        Invite invite = sender.invite();
        try (SlowProxy link = new SlowProxy(new InetSocketAddress("127.0.0.1", sender.boundAddress().port()),
                LINK_BYTES_PER_SECOND)) {
            Invite throughLink = new Invite(PeerAddress.parse("127.0.0.1:" + link.port()), invite.inviter(),
                    invite.secret());
            Path part = b.resolve(".mirror/tmp/" + content.hex() + ".part");

            Process first = child(b, "join", throughLink.format(), b.toString());
            Await.until(CONVERGE, () -> size(part) >= KILL_AFTER_PART_BYTES, "the receiver to be mid-file");
            Processes.kill(first, Duration.ofSeconds(10));
            long firstBytes = link.bytesToClient();
            long partBytes = size(part);

            assertFalse(Files.exists(b.resolve("big.bin")), "a torn file under the real name");
            assertTrue(partBytes < BIG_BYTES, "the kill came too late: the part is whole");

            child(b, "serve", b.toString());
            Await.until(CONVERGE, () -> {
                long now = size(b.resolve("big.bin"));
                assertTrue(now < 0 || now == BIG_BYTES, "a torn file under the real name: " + now + " bytes");
                return now == BIG_BYTES;
            }, "the restarted receiver to finish the file");
            long secondBytes = link.bytesToClient() - firstBytes;
            System.out.printf("resume: %d bytes through the link before the kill (part %d), %d after the restart,"
                    + " file %d%n", firstBytes, partBytes, secondBytes, BIG_BYTES);

            assertEquals(whole, Hash.sha256(Files.readAllBytes(b.resolve("big.bin"))));
            assertTrue(secondBytes < BIG_BYTES - KILL_AFTER_PART_BYTES / 2, "the restart fetched " + secondBytes
                    + " bytes of a " + BIG_BYTES + "-byte file of which " + partBytes + " were already here");
            assertFalse(Files.exists(part), "the part stayed after the install");
        }
    }

    @Test
    void aFileReplacedInALoopWhileSentIsOnlyEverInstalledWholeAndBothSettleOnTheLast() throws Exception {
        Path a = folder("a");
        Path b = folder("b");
        Path drafts = folder("drafts"); // same file system: each version is renamed over the file, whole
        Set<Hash> written = ConcurrentHashMap.newKeySet();
        byte[] version = TestFolders.randomBytes(0, MOVING_BYTES);
        written.add(Hash.sha256(version));
        TestFolders.write(a, "moving.bin", version);
        Daemon sender = start(a, Optional.empty());
        Invite invite = sender.invite();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService checker = Executors.newSingleThreadExecutor(new NamedThreadFactory("install-checker"));
        try (SlowProxy link = new SlowProxy(new InetSocketAddress("127.0.0.1", sender.boundAddress().port()),
                SLOW_LINK_BYTES_PER_SECOND)) {
            Daemon receiver = start(b, Optional.of(new Invite(PeerAddress.parse("127.0.0.1:" + link.port()),
                    invite.inviter(), invite.secret())));
            Future<Integer> installs = checker.submit(() -> watchInstalls(b.resolve("moving.bin"), written, writing));

            for (int i = 1; i <= REPLACEMENTS; i++) {
                long before = link.bytesToClient();
                // The sender has scanned the last version, and the receiver is fetching it: replace it now.
                Await.until(CONVERGE, () -> link.bytesToClient() - before >= MOVING_BYTES / 4,
                        "the receiver to be fetching the current version");
                version = TestFolders.randomBytes(i, MOVING_BYTES);
                written.add(Hash.sha256(version));
                Path draft = TestFolders.write(drafts, "v" + i, version);
                Files.move(draft, a.resolve("moving.bin"), StandardCopyOption.ATOMIC_MOVE);
            }
            Hash last = Hash.sha256(version);

            Await.until(CONVERGE, () -> sender.root().equals(receiver.root())
                    && last.equals(hashOrNull(b.resolve("moving.bin"))), "both peers to settle on the last version");
            writing.set(false);
            int seen = installs.get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("replace loop: the receiver showed %d distinct versions, all whole%n", seen);
        } finally {
            writing.set(false);
            checker.shutdownNow();
        }
    }

    /**
     * Reads the receiver's copy over and over while versions are written, failing on one that was never written;
     * returns how many distinct versions it saw.
     */
    private static int watchInstalls(Path file, Set<Hash> written, AtomicBoolean writing) throws IOException {
        Set<Hash> seen = new HashSet<>();
        while (writing.get()) {
            Hash now = hashOrNull(file);
            if (now != null) {
                assertTrue(written.contains(now), "the receiver installed a version never written: " + now);
                seen.add(now);
            }
        }
        return seen.size();
    }

    private static Hash hashOrNull(Path file) {
        try {
            return Hash.sha256(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process child(Path dir, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--listen", "127.0.0.1:0", "--rescan-interval", "1s"));
        Path log = temp.resolve("child-" + children.size() + ".log");
        Process process = Processes.mirror(all.toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        children.add(process);
        return process;
    }

    private Path folder(String name) throws IOException {
        return peers.folder(name);
    }

    private Daemon start(Path dir, Optional<Invite> join) throws Exception {
        return peers.start(dir, join);
    }

    private static Hash contentHash(Path dir, String name) throws IOException, InterruptedException {
        try (Folder folder = Folder.open(dir, TestFolders.AHEAD, 2)) {
            folder.scan(new ScanProgress());
            return folder.index().chunks(TreePath.of(name)).contentHash();
        }
    }
}
