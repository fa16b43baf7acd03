package dev.mirror.store;

import static dev.mirror.store.OnDisk.CLOCK;
import static dev.mirror.store.OnDisk.MTIME_NANOS;
import static dev.mirror.store.OnDisk.TAG;
import static dev.mirror.store.OnDisk.expectationOf;
import static dev.mirror.store.OnDisk.listing;
import static dev.mirror.store.OnDisk.names;
import static dev.mirror.store.OnDisk.read;
import static dev.mirror.store.OnDisk.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.Hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FileInstallerTest {
    @TempDir
    Path base;

    private Path folder;
    private FileInstaller installer;

    @BeforeEach
    void open() throws IOException {
        folder = Files.createDirectory(base.resolve("folder"));
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

    @Test
    void installIntoNewNestedPathMakesTheDirectories() throws IOException {
        Installed installed = installer.install(stage(installer, "hello", 0644), "é/ü/deep/file.txt",
                Expectation.absent());

        Path file = folder.resolve("é/ü/deep/file.txt");
        assertEquals(List.of("é/", "é/ü/", "é/ü/deep/", "é/ü/deep/file.txt: hello"), listing(folder));
        assertEquals(expectationOf(file), installed.now());
        assertEquals(Optional.empty(), installed.keptVersion());
        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void aDirectoryDeletedBetweenTwoInstallsIntoItIsMadeAgain() throws IOException {
        installer.install(stage(installer, "one", 0644), "photos/a.jpg", Expectation.absent());
        Files.delete(folder.resolve("photos/a.jpg"));
        Files.delete(folder.resolve("photos")); // the handle kept open for the next install now names nothing

        installer.install(stage(installer, "two", 0644), "photos/b.jpg", Expectation.absent());

        assertEquals(List.of("photos/", "photos/b.jpg: two"), listing(folder));
        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void installOverMatchingFileKeepsOldBytesAndPlacesNewOnesWithMtimeAndMode() throws IOException {
        Path file = write("docs/report.txt", "old");
        Expectation indexed = expectationOf(file);

        Installed installed = installer.install(stage(installer, "new", 0755), "docs/report.txt", indexed);

        Path kept = folder.resolve(".mirror/versions/docs/report" + TAG + ".txt");
        assertEquals("new", read(file));
        assertEquals(MTIME_NANOS, Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Optional.of(kept), installed.keptVersion());
        assertEquals("old", read(kept));
        assertEquals(expectationOf(file), installed.now());
        assertEquals(List.of("docs/", "docs/report.txt: new"), listing(folder));
    }

    @Test
    void installNeverAppliesSetuidSetgidOrSticky() throws IOException {
        installer.install(stage(installer, "x", 07755), "tool", Expectation.absent());

        assertEquals(0755, (Integer) Files.getAttribute(folder.resolve("tool"), "unix:mode") & 07777);
    }

    @Test
    void secondVersionInTheSameSecondIsNumbered() throws IOException {
        Path file = write("a.txt", "one");
        installer.install(stage(installer, "two", 0644), "a.txt", expectationOf(file));
        installer.install(stage(installer, "three", 0644), "a.txt", expectationOf(file));

        assertEquals(List.of("a" + TAG + "-2.txt", "a" + TAG + ".txt"), names(folder.resolve(".mirror/versions")));
        assertEquals("two", read(folder.resolve(".mirror/versions/a" + TAG + "-2.txt")));
        assertEquals("three", read(file));
    }

    @Test
    void fileThatAppearedWhereNothingWasExpectedIsAConflict() throws IOException {
        write("new.txt", "the user's");
        StagedFile staged = stage(installer, "the peer's", 0644);

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.install(staged, "new.txt", Expectation.absent()));

        assertEquals("new.txt", e.path());
        assertTrue(e.reason().startsWith("expected nothing, found a regular file of 10 bytes"), e.reason());
        assertEquals(List.of("new.txt: the user's"), listing(folder));
        assertStagedIntact(staged, "the peer's");
    }

    @Test
    void parentThatIsAFileIsAConflictNamingIt() throws IOException {
        write("a", "a file");
        StagedFile staged = stage(installer, "x", 0644);

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.install(staged, "a/b/c.txt", Expectation.absent()));

        assertEquals("a", e.path());
        assertEquals("expected a directory, found a regular file", e.reason());
        assertEquals(List.of("a: a file"), listing(folder));
        assertStagedIntact(staged, "x");
    }

    @Test
    void fifoWhereAParentShouldBeIsAConflictNotAHang() throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", folder.resolve("a").toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        StagedFile staged = stage(installer, "x", 0644);

        TargetChangedException e = assertThrows(TargetChangedException.class,
                () -> installer.install(staged, "a/b.txt", Expectation.absent()));

        assertEquals("a", e.path());
        assertEquals("expected a directory, found a special file (FIFO, socket or device)", e.reason());
    }

    @Test
    void hostilePathIsRejectedBeforeAnythingIsTouched() throws IOException {
        StagedFile staged = stage(installer, "x", 0644);
        List<String> before = listing(base);

        PathRejectedException e = assertThrows(PathRejectedException.class,
                () -> installer.install(staged, "../escape.txt", Expectation.absent()));

        assertEquals("path has a '..' name", e.reason());
        assertEquals(before, listing(base));
        assertStagedIntact(staged, "x");
    }

    @Test
    void stagedFileHasNoNameInTheFolderUntilInstalled() throws IOException {
        Path file = write("doc.txt", "old");
        Expectation indexed = expectationOf(file);
        StagedFile staged = stage(installer, "new", 0644);

        assertEquals(List.of("doc.txt: old"), listing(folder));
        assertTrue(staged.path().startsWith(folder.resolve(".mirror/tmp")), staged.path().toString());

        installer.install(staged, "doc.txt", indexed);

        assertEquals(List.of("doc.txt: new"), listing(folder));
        assertFalse(Files.exists(staged.path()));
    }

    @Test
    void closingAStagedFileThatWasNotInstalledDeletesIt() throws IOException {
        StagedFile written = installer.stage();
        written.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        StagedFile sealed = stage(installer, "x", 0644);

        written.close();
        sealed.close();
        sealed.close();

        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void failedSealDeletesTheFileAndIsFinal() throws IOException {
        StagedFile staged = installer.stage();
        staged.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        staged.channel().close(); // The fsync in seal now fails, as a failed writeback would.

        assertThrows(IOException.class, () -> staged.seal(MTIME_NANOS, 0644));

        assertFalse(Files.exists(staged.path()));
        assertThrows(IllegalStateException.class, () -> staged.seal(MTIME_NANOS, 0644));
        assertThrows(IllegalStateException.class, () -> installer.install(staged, "a", Expectation.absent()));
        assertEquals(List.of(), listing(folder));
    }

    @Test
    void aFileFinishedByItsWriterIsSealedLaterWithItsTimesAndMode() throws IOException {
        StagedFile staged = installer.stage();
        staged.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));

        staged.finishWriting();
        assertThrows(IllegalStateException.class, staged::channel, "no more writing");
        assertThrows(IllegalStateException.class, () -> installer.install(staged, "a", Expectation.absent()));
        staged.sealWithoutSync(MTIME_NANOS, 0640);
        installer.flush(List.of(staged));
        installer.markDurable(List.of(staged));
        installer.install(staged, "a", Expectation.absent());

        Path a = folder.resolve("a");
        assertEquals(3, Files.size(a));
        assertEquals(MTIME_NANOS, Files.getLastModifiedTime(a).to(TimeUnit.NANOSECONDS));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
    }

    @Test
    void aFinishedFileThatIsClosedUnsealedIsDeletedEvenIfItIsAPart() throws IOException {
        StagedFile part = installer.stagePart(Hash.sha256(new byte[] {9}), 0644);
        part.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        part.finishWriting();

        part.close();

        assertFalse(Files.exists(part.path()), "a whole file not wanted now is not kept as a part");
        assertEquals(List.of(), names(folder.resolve(".mirror/tmp")));
    }

    @Test
    void unwantedPartsGoWantedAndHeldOnesStayAndTheWantedSetIsBuiltOnlyIfThereIsAPartToJudge() throws IOException {
        List<String> asked = new ArrayList<>();
        installer.deletePartsExcept(() -> {
            asked.add("empty");
            return Set.of();
        });
        assertEquals(List.of(), asked, "nothing in .mirror/tmp/ to judge: the wanted set is not built");

        Hash wanted = Hash.sha256(new byte[] {1});
        Hash unwanted = Hash.sha256(new byte[] {2});
        Hash held = Hash.sha256(new byte[] {3});
        for (Hash content : List.of(wanted, unwanted)) {
            try (StagedFile part = installer.stagePart(content, 0644)) {
                part.channel().write(ByteBuffer.wrap(new byte[] {7})); // closed unfinished: kept for a next attempt
            }
        }
        try (StagedFile writing = installer.stagePart(held, 0644)) {
            installer.deletePartsExcept(() -> {
                asked.add("parts");
                return Set.of(wanted);
            });

            assertEquals(List.of("parts"), asked);
            assertEquals(List.of(held.hex() + ".part", wanted.hex() + ".part").stream().sorted().toList(),
                    names(folder.resolve(".mirror/tmp")).stream().sorted().toList());
            assertFalse(installer.mayHavePart(unwanted));
            assertTrue(installer.mayHavePart(wanted));
        }
    }

    @Test
    void aPartIsMadeWithItsModeWhereItsOwnerMayReadAndWriteItAndSealedWithItsModeEitherWay() throws IOException {
        assertStagedWithTheirModes((i, mode) -> installer.stagePart(Hash.sha256(new byte[] {(byte) i}), mode));
    }

    @Test
    void aFreshFileForAReceivedFileIsMadeWithItsModeToo() throws IOException {
        assertStagedWithTheirModes((i, mode) -> {
            StagedFile staged = installer.stage(mode);
            assertTrue(staged.path().getFileName().toString().startsWith("file-"), staged.path().toString());
            return staged;
        });
    }

    /** Stages a file for content {@code i} to be sealed with {@code mode}. */
    private interface Stager {
        StagedFile stage(int i, int mode) throws IOException;
    }

    private void assertStagedWithTheirModes(Stager stager) throws IOException {
        // What a new file keeps of the bits asked for (the umask, or a default ACL, takes the rest): as the installer
        // finds it, with a file of its own.
        Path probe = Files.createFile(base.resolve("probe"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        int kept = bits(probe);
        int[] modes = {0644, 0444, 0640};
        int[] sealedWith = {0644, 0444, 0755};
        List<StagedFile> parts = new ArrayList<>();
        for (int i = 0; i < modes.length; i++) {
            parts.add(stager.stage(i, modes[i]));
        }

        assertEquals(0644 & kept, bits(parts.get(0).path()), "made with its own bits: no chmod when sealed");
        assertEquals(0600 & kept, bits(parts.get(1).path()), "0444 would keep its writer out: owner-only first");
        for (int i = 0; i < modes.length; i++) {
            StagedFile part = parts.get(i);
            part.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            part.finishWriting();
            part.sealWithoutSync(MTIME_NANOS, sealedWith[i]);
            assertEquals(sealedWith[i], bits(part.path()), "sealed with " + Integer.toOctalString(sealedWith[i]));
            assertEquals(MTIME_NANOS, Files.getLastModifiedTime(part.path()).to(TimeUnit.NANOSECONDS));
            part.close();
        }
    }

    private static int bits(Path file) throws IOException {
        return FileInstaller.modeOf(file);
    }

    @Test
    void unsealedFileCannotBeInstalled() throws IOException {
        StagedFile staged = installer.stage();

        assertThrows(IllegalStateException.class, () -> installer.install(staged, "a", Expectation.absent()));
        assertEquals(List.of(), listing(folder));
    }

    @Test
    void leftoversOfAKilledRunAreDeletedWhenTheInstallerOpens() throws IOException {
        Path tmp = folder.resolve(".mirror/tmp");
        StagedFile abandoned = installer.stage(); // Never sealed or closed: the process "died".
        abandoned.channel().write(ByteBuffer.wrap(new byte[] {1}));
        Files.createSymbolicLink(tmp.resolve("link-left"), base);
        Files.createDirectories(tmp.resolve("dir-left/inner"));
        Files.writeString(tmp.resolve("dir-left/inner/f"), "x");
        installer.close();

        installer = openInstaller(folder);

        assertEquals(List.of(), names(tmp));
        assertTrue(Files.isDirectory(base), "the symlink's target is untouched");
    }

    @Test
    void directoryCannotBeReplacedByAFile() throws IOException {
        Files.createDirectory(folder.resolve("d"));
        StagedFile staged = stage(installer, "x", 0644);

        assertThrows(IllegalArgumentException.class, () -> installer.install(staged, "d", Expectation.directory()));
        assertThrows(TargetChangedException.class, () -> installer.install(staged, "d", Expectation.absent()));
        assertTrue(Files.isDirectory(folder.resolve("d"), LinkOption.NOFOLLOW_LINKS));
        assertStagedIntact(staged, "x");
    }

    private Path write(String relative, String content) throws IOException {
        Path file = folder.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static void assertStagedIntact(StagedFile staged, String content) throws IOException {
        assertTrue(staged.isSealed());
        assertEquals(content, read(staged.path()));
    }
}
