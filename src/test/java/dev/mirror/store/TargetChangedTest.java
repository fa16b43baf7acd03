package dev.mirror.store;

import static dev.mirror.store.OnDisk.CLOCK;
import static dev.mirror.store.OnDisk.expectationOf;
import static dev.mirror.store.OnDisk.listing;
import static dev.mirror.store.OnDisk.names;
import static dev.mirror.store.OnDisk.read;
import static dev.mirror.store.OnDisk.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The user changed a file after the index recorded it: neither an install nor a delete may touch it. */
@Timeout(30)
class TargetChangedTest {
    @TempDir
    Path base;

    private Path folder;
    private Path file;
    private Expectation indexed;
    private FileInstaller installer;

    static Stream<Case> changes() {
        return Stream.of(
                new Case("Content rewritten with the same size and the mtime put back (only ctime tells)",
                        TargetChangedTest::rewriteKeepingSizeAndMtime),
                new Case("Size changed", (file, indexed) -> Files.writeString(file, "longer text")),
                new Case("Only the mtime changed", (file, indexed) -> Files.setLastModifiedTime(file,
                        FileTime.fromMillis(1_000_000))),
                new Case("Another file was renamed over it", (file, indexed) -> Files.move(
                        Files.writeString(file.resolveSibling("other"), "indexed"), file,
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)),
                new Case("It was deleted", (file, indexed) -> Files.delete(file)),
                new Case("A directory replaced it", (file, indexed) -> {
                    Files.delete(file);
                    Files.createDirectory(file);
                }),
                new Case("A symlink replaced it", (file, indexed) -> {
                    Files.delete(file);
                    Files.createSymbolicLink(file, Path.of("elsewhere"));
                }));
    }

    @BeforeEach
    void indexAFile() throws IOException {
        folder = Files.createDirectory(base.resolve("folder"));
        file = Files.writeString(Files.createDirectory(folder.resolve("d")).resolve("f.txt"), "indexed");
        indexed = expectationOf(file);
        installer = FileInstaller.open(StateDirectory.open(folder), CLOCK);
    }

    @AfterEach
    void close() throws IOException {
        installer.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void installLeavesTheChangedFileAndTheStagedFileAlone(Case c) throws IOException {
        StagedFile staged = stage(installer, "from the peer", 0644);
        c.change.apply(file, indexed);
        List<String> changed = listing(folder);

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.install(staged, "d/f.txt", indexed));

        assertEquals("d/f.txt", e.path());
        assertTrue(e.reason().startsWith("expected " + indexed.describe() + ", found "), e.reason());
        assertEquals(changed, listing(folder));
        assertEquals("from the peer", read(staged.path()));
        assertTrue(staged.isSealed());
        assertEquals(List.of(), names(folder.resolve(".mirror/versions")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void deleteLeavesTheChangedFileAlone(Case c) throws IOException {
        c.change.apply(file, indexed);
        List<String> changed = listing(folder);

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.delete("d/f.txt", indexed));

        assertEquals("d/f.txt", e.path());
        assertEquals(changed, listing(folder));
        assertEquals(List.of(), names(folder.resolve(".mirror/versions")));
    }

    /**
     * Rewrites the file until its ctime moves on (the kernel's clock for it ticks every few milliseconds), putting
     * the size and mtime back each time, as a tool that preserves times would.
     */
    private static void rewriteKeepingSizeAndMtime(Path file, Expectation indexed) {
        Expectation.RegularFile before = (Expectation.RegularFile) indexed;
        Await.until(Duration.ofSeconds(5), () -> {
            try {
                Files.writeString(file, "INDEXED");
                Files.setLastModifiedTime(file, FileTime.from(before.mtimeNanos(), TimeUnit.NANOSECONDS));
                Expectation.RegularFile now = (Expectation.RegularFile) expectationOf(file);
                return now.ctimeNanos() != before.ctimeNanos() && now.size() == before.size()
                        && now.mtimeNanos() == before.mtimeNanos() && now.inode() == before.inode();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "the ctime of " + file + " to move on");
    }

    /** Something the user does to the indexed file. */
    interface Change {
        void apply(Path file, Expectation indexed) throws IOException;
    }

    record Case(String description, Change change) {
        @Override
        public String toString() {
            return description;
        }
    }
}
