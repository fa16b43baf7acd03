package dev.mirror.cli;

import dev.mirror.testing.Await;
import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import dev.mirror.testing.RandomTree;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index survives what users do to it: a damaged index is moved aside and rebuilt by the next scan, and a scan
 * killed with kill -9 at any moment leaves an index the next scan brings to exactly what a fresh index would hold.
 */
@Timeout(60)
class CliIndexRecoveryTest {
    private static final long FIXTURE_SEED = 42;
    private static final int KILL_TEST_FILES = 3_000;
    /** Well below the write-ahead log a full scan of the kill test's folder writes (about 850 KiB). */
    private static final int MAX_KILL_AT_LOG_BYTES = 256 * 1024;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path temp;
    private Path folder;
    private Path index;

    @BeforeEach
    void makeFolder() throws IOException {
        folder = Files.createDirectory(temp.resolve("folder"));
        index = folder.resolve(".mirror/index");
    }

    static Stream<Damage> damages() {
        return Stream.of(
                new Damage("garbage in CURRENT", index -> Files.write(index.resolve("CURRENT"),
                        new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef})),
                new Damage("an emptied MANIFEST", index -> {
                    Path manifest = only(index, "MANIFEST-*");
                    try (FileChannel channel = FileChannel.open(manifest, StandardOpenOption.WRITE)) {
                        channel.truncate(0);
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void damagedIndexIsMovedAsideAndRebuiltToTheSameRoot(Damage damage) throws IOException {
        RandomTree.write(folder, FIXTURE_SEED, 50, 2_000);
        ScanJson before = ScanJson.of(Cli.run("scan", "--json", folder.toString()));
        damage.damager().damage(index);

        Cli.Result run = Cli.run("scan", "--json", folder.toString());

        assertEquals(before, ScanJson.of(run));
        assertTrue(run.err().startsWith("mirror: ") && run.err().contains("damaged") && run.err().contains("rebuilt"),
                () -> "the rebuild is not explained:\n" + run);
        Path aside = only(folder.resolve(".mirror"), "index.damaged-*");
        assertTrue(run.err().contains(aside.toString()), () -> "does not say where the damaged index went:\n" + run);
        Cli.Result next = Cli.run("scan", "--json", folder.toString());
        assertEquals(before, ScanJson.of(next));
        assertEquals("", next.err(), "the rebuilt index is healthy");
    }

    @Test
    @Tag("e2e")
    void scanKilledAtAnyMomentIsRepairedByTheNextScan() throws Exception {
        RandomTree.write(folder, FIXTURE_SEED, KILL_TEST_FILES, 1_000);
        // The identity is made here rather than in the child, which then reaches its index sooner. Unlike the index
        // it is never deleted below, so every scan versions files as the same device.
        assertEquals(0, Cli.run("id", folder.toString()).exitCode());
        long seed = new Random().nextLong();
        long killAtLogBytes = 1 + new Random(seed).nextInt(MAX_KILL_AT_LOG_BYTES);
        Path childErr = temp.resolve("child.err");
        Process child = Processes.mirror("scan", folder.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(childErr.toFile()).start();
        Await.until(CHILD_TIMEOUT, () -> !child.isAlive() || logBytes(index) >= killAtLogBytes,
                "the index to hold " + killAtLogBytes + " bytes of logs and tables");
        long loggedBytes = logBytes(index);
        Processes.kill(child, CHILD_TIMEOUT);
        String where = "child killed at " + loggedBytes + " bytes of index (aimed at " + killAtLogBytes + ", seed "
                + seed + "), exit code " + child.exitValue() + " (137: killed, 0: it had finished); child stderr: "
                + Files.readString(childErr);

        ScanJson afterKill = ScanJson.of(Cli.run("scan", "--json", folder.toString()));
        ScanJson again = ScanJson.of(Cli.run("scan", "--json", folder.toString()));
        deleteRecursively(index);
        ScanJson fresh = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        assertEquals(KILL_TEST_FILES, fresh.files());
        assertEquals(fresh, afterKill, where);
        assertEquals(fresh, again, where);
    }

    /** The bytes in the index's write-ahead logs and tables; 0 before the index exists. */
    private static long logBytes(Path index) {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(index, "*.{log,sst}")) {
            for (Path file : files) {
                total += sizeOrZero(file);
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /** RocksDB deletes old logs as it goes, so a file listed a moment ago may be gone. */
    private static long sizeOrZero(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static Path only(Path dir, String glob) throws IOException {
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path file : files) {
                matches.add(file);
            }
        }
        assertEquals(1, matches.size(), () -> "files matching " + glob + " in " + dir + ": " + matches);
        return matches.get(0);
    }

    private static void deleteRecursively(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A way to damage an index on disk, led by a sentence. */
    record Damage(String description, IndexDamager damager) {
        @Override
        public String toString() {
            return description;
        }
    }

    interface IndexDamager {
        void damage(Path index) throws IOException;
    }
}
