package dev.mirror.store;

import static dev.mirror.store.OnDisk.CLOCK;
import static dev.mirror.store.OnDisk.TAG;
import static dev.mirror.store.OnDisk.expectationOf;
import static dev.mirror.store.OnDisk.listing;
import static dev.mirror.store.OnDisk.names;
import static dev.mirror.store.OnDisk.read;
import static dev.mirror.store.OnDisk.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Symlinks are stored, never followed: not in a parent directory, not at the target. */
@Timeout(30)
class SymlinkSafetyTest {
    @TempDir
    Path base;

    private Path folder;
    private Path outside;
    private FileInstaller installer;

    static Stream<Case> writesThroughSymlinkedParent() {
        return Stream.of(
                new Case("Install a file below a parent swapped for a symlink", "a", "a/new.txt",
                        (installer, outside) -> installer.install(stage(installer, "x", 0644), "a/new.txt",
                                Expectation.absent())),
                new Case("Install a file below a deeper parent swapped for a symlink", "a/b", "a/b/c/new.txt",
                        (installer, outside) -> installer.install(stage(installer, "x", 0644), "a/b/c/new.txt",
                                Expectation.absent())),
                new Case("Replace a file that the symlinked parent leads to", "a", "a/secret.txt",
                        (installer, outside) -> installer.install(stage(installer, "x", 0644), "a/secret.txt",
                                expectationOf(outside.resolve("secret.txt")))),
                new Case("Delete a file that the symlinked parent leads to", "a", "a/secret.txt",
                        (installer, outside) -> installer.delete("a/secret.txt",
                                expectationOf(outside.resolve("secret.txt")))),
                new Case("Make a directory below a symlinked parent", "a", "a/sub",
                        (installer, outside) -> installer.createDirectory("a/sub", 0755)),
                new Case("Make a symlink below a symlinked parent", "a", "a/link",
                        (installer, outside) -> installer.createSymlink("a/link", "target", Expectation.absent())));
    }

    @BeforeEach
    void open() throws IOException {
        folder = Files.createDirectory(base.resolve("folder"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not mirror's");
        installer = openInstaller(folder);
    }

    /** The installer under test; a subclass runs the same cases through the JDK's way alone. */
    FileInstaller openInstaller(Path folder) throws IOException {
        return FileInstaller.open(StateDirectory.open(folder), CLOCK);
    }

    @AfterEach
    void close() throws IOException {
        installer.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writesThroughSymlinkedParent")
    void symlinkSwappedIntoParentIsRejectedAndNothingIsWrittenOutside(Case c) throws IOException {
        Files.createDirectories(folder.resolve(c.symlinked));
        Files.delete(folder.resolve(c.symlinked)); // The directory the index knew is swapped for a symlink.
        Files.createSymbolicLink(folder.resolve(c.symlinked), outside);
        List<String> outsideBefore = listing(outside);

        PathRejectedException e = assertThrows(PathRejectedException.class, () -> c.operation.run(installer,
                outside));

        assertEquals(c.path, e.path());
        assertEquals("a parent directory is a symlink: " + c.symlinked, e.reason());
        assertEquals(outsideBefore, listing(outside));
        assertEquals(List.of(), names(folder.resolve(".mirror/versions")));
    }

    @Test
    void symlinkAtTheTargetIsReplacedAsAnEntryAndKeptNeverFollowed() throws IOException {
        Path link = Files.createSymbolicLink(folder.resolve("link"), outside.resolve("secret.txt"));

        Installed installed = installer.install(stage(installer, "mirror's", 0644), "link", expectationOf(link));

        assertEquals(List.of("link: mirror's"), listing(folder));
        assertEquals(List.of("secret.txt: not mirror's"), listing(outside));
        Path kept = folder.resolve(".mirror/versions/link" + TAG);
        assertEquals(Optional.of(kept), installed.keptVersion());
        assertEquals(outside.resolve("secret.txt"), Files.readSymbolicLink(kept));
    }

    @Test
    void symlinkWhereTheIndexHasAFileIsAConflict() throws IOException {
        Path file = Files.writeString(folder.resolve("f"), "indexed");
        Expectation indexed = expectationOf(file);
        Files.delete(file);
        Files.createSymbolicLink(file, outside.resolve("secret.txt"));

        assertThrows(TargetChangedException.class,
                () -> installer.install(stage(installer, "x", 0644), "f", indexed));
        assertThrows(TargetChangedException.class, () -> installer.delete("f", indexed));

        assertEquals(List.of("f -> " + outside.resolve("secret.txt")), listing(folder));
        assertEquals(List.of("secret.txt: not mirror's"), listing(outside));
    }

    @Test
    void createSymlinkStoresTheTargetAsSentWhereverItPoints() throws IOException {
        Installed installed = installer.createSymlink("links/out", outside.toString(), Expectation.absent());

        Path link = folder.resolve("links/out");
        assertEquals(outside, Files.readSymbolicLink(link));
        assertEquals(List.of("secret.txt: not mirror's"), listing(outside));
        assertEquals(expectationOf(link), installed.now());
        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void aSymlinkMadeInAnExistingDirectoryIsRecordedWithItsTarget() throws IOException {
        Files.createDirectory(folder.resolve("links"));
        Installed installed = installer.createSymlink("links/up", "../some target", Expectation.absent());

        Path link = folder.resolve("links/up");
        assertEquals(Path.of("../some target"), Files.readSymbolicLink(link));
        assertEquals(expectationOf(link), installed.now(), "a later change there matches what was recorded");
        installer.delete("links/up", installed.now());
        assertTrue(Files.notExists(link, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void createSymlinkOverAnIndexedOneKeepsTheOldLink() throws IOException {
        Path link = Files.createSymbolicLink(folder.resolve("l"), Path.of("old-target"));

        Installed installed = installer.createSymlink("l", "../new-target", expectationOf(link));

        assertEquals(Path.of("../new-target"), Files.readSymbolicLink(link));
        assertEquals(Path.of("old-target"), Files.readSymbolicLink(installed.keptVersion().orElseThrow()));
    }

    @Test
    void createSymlinkOverAChangedEntryLeavesItAndCleansUp() throws IOException {
        Files.writeString(folder.resolve("l"), "the user's");

        assertThrows(TargetChangedException.class,
                () -> installer.createSymlink("l", "target", Expectation.absent()));

        assertEquals(List.of("l: the user's"), listing(folder));
        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void deleteOfASymlinkKeepsTheLinkNotWhatItPointsTo() throws IOException {
        Path link = Files.createSymbolicLink(folder.resolve("l"), outside.resolve("secret.txt"));

        Optional<Path> kept = installer.delete("l", expectationOf(link));

        assertEquals(List.of(), listing(folder));
        assertEquals(outside.resolve("secret.txt"), Files.readSymbolicLink(kept.orElseThrow()));
        assertEquals("not mirror's", read(outside.resolve("secret.txt")));
    }

    /** One change through the installer. */
    interface Operation {
        void run(FileInstaller installer, Path outside) throws IOException;
    }

    /**
     * @param symlinked the folder's directory that becomes a symlink to the outside directory
     * @param path the path the operation is asked to change
     */
    record Case(String description, String symlinked, String path, Operation operation) {
        @Override
        public String toString() {
            return description;
        }
    }
}
