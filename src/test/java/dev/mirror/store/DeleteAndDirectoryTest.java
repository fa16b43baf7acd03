package dev.mirror.store;

import static dev.mirror.store.OnDisk.CLOCK;
import static dev.mirror.store.OnDisk.TAG;
import static dev.mirror.store.OnDisk.expectationOf;
import static dev.mirror.store.OnDisk.listing;
import static dev.mirror.store.OnDisk.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DeleteAndDirectoryTest {
    @TempDir
    Path folder;

    private FileInstaller installer;

    @BeforeEach
    void open() throws IOException {
        installer = FileInstaller.open(StateDirectory.open(folder), CLOCK);
    }

    @AfterEach
    void close() throws IOException {
        installer.close();
    }

    @Test
    void deleteMovesTheFileToVersions() throws IOException {
        Path file = Files.writeString(Files.createDirectory(folder.resolve("ü")).resolve("notes.md"), "draft");

        Optional<Path> kept = installer.delete("ü/notes.md", expectationOf(file));

        Path expected = folder.resolve(".mirror/versions/ü/notes" + TAG + ".md");
        assertEquals(Optional.of(expected), kept);
        assertEquals("draft", read(expected));
        assertEquals(List.of("ü/"), listing(folder));
    }

    @Test
    void deleteUnderAMissingParentIsAConflictNamingTheParent() throws IOException {
        Path file = Files.writeString(Files.createDirectory(folder.resolve("a")).resolve("f"), "x");
        Expectation indexed = expectationOf(file);
        Files.delete(file);
        Files.delete(folder.resolve("a"));

        TargetChangedException e = assertThrows(TargetChangedException.class, () -> installer.delete("a/f", indexed));

        assertEquals("a", e.path());
        assertEquals("expected a directory, found nothing", e.reason());
        assertEquals(List.of(), listing(folder));
    }

    @Test
    void deleteRemovesAnEmptyDirectory() throws IOException {
        Files.createDirectories(folder.resolve("a/empty"));

        assertEquals(Optional.empty(), installer.delete("a/empty", Expectation.directory()));

        assertEquals(List.of("a/"), listing(folder));
    }

    @Test
    void deleteOfADirectoryThatGainedEntriesIsAConflict() throws IOException {
        Files.writeString(Files.createDirectory(folder.resolve("d")).resolve("new"), "the user's");

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.delete("d", Expectation.directory()));

        assertEquals("expected an empty directory, found entries in it", e.reason());
        assertEquals(List.of("d/", "d/new: the user's"), listing(folder));
    }

    @Test
    void deleteOfNothingIsABug() {
        assertThrows(IllegalArgumentException.class, () -> installer.delete("a", Expectation.absent()));
    }

    @Test
    void createDirectoryMakesParentsAndAppliesTheMode() throws IOException {
        installer.createDirectory("a/b/c", 0750);

        assertEquals(List.of("a/", "a/b/", "a/b/c/"), listing(folder));
        assertEquals("rwxr-x---", permissions("a/b/c"));
    }

    @Test
    void createDirectoryAgainChangesOnlyTheMode() throws IOException {
        installer.createDirectory("d", 0755);
        Files.writeString(folder.resolve("d/kept"), "x");

        installer.createDirectory("d", 0755);
        assertEquals("rwxr-xr-x", permissions("d"));
        installer.createDirectory("d", 0700);

        assertEquals("rwx------", permissions("d"));
        assertEquals(List.of("d/", "d/kept: x"), listing(folder));
    }

    @Test
    void createDirectoryWhereAFileIsIsAConflict() throws IOException {
        Files.writeString(folder.resolve("d"), "the user's");

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.createDirectory("d", 0755));

        assertEquals("d", e.path());
        assertEquals(List.of("d: the user's"), listing(folder));
    }

    @Test
    void createDirectoryRejectsTheStateDirectory() {
        PathRejectedException e = assertThrows(PathRejectedException.class,
                () -> installer.createDirectory(".mirror/tmp/x", 0755));

        assertEquals("path is inside .mirror, mirror's state directory", e.reason());
    }

    private String permissions(String relative) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(relative)));
    }
}
