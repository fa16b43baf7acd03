package dev.mirror.store;

import com.sun.jna.Platform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The C library's directory calls read and rename as the JDK would, never follow a symlink, never replace. */
class NativeDirectoryTest {
    @TempDir
    Path base;

    private Path folder;

    @BeforeEach
    void bound() throws IOException {
        assumeTrue(NativeDirectory.isAvailable(), "renameat2 and statx are bound here");
        folder = base.resolve("folder");
        Files.createDirectories(folder.resolve("d/e"));
    }

    @Test
    void theCallsAreBoundOnLinuxForBothArchitecturesWeBuildFor() {
        String arch = System.getProperty("os.arch");
        assumeTrue(Platform.isLinux() && (arch.equals("amd64") || arch.equals("aarch64")), "x86-64 or AArch64 Linux");
        assertTrue(DirectoryCalls.AVAILABLE, "a first mirror installs new files with one rename and one statx");
    }

    @Test
    void statReadsWhatTheJdkReadsWithoutFollowingASymlink() throws IOException {
        Path file = Files.writeString(folder.resolve("f"), "twelve bytes");
        Files.setLastModifiedTime(file, FileTime.from(1_234_567_890_123_456_789L, TimeUnit.NANOSECONDS));
        Files.createSymbolicLink(folder.resolve("link"), file);
        try (NativeDirectory dir = NativeDirectory.open(folder)) {
            DiskEntry entry = dir.stat("f");
            assertEquals(DiskEntry.Kind.FILE, entry.kind());
            assertEquals(12, entry.size());
            assertEquals(1_234_567_890_123_456_789L, entry.mtimeNanos());
            Map<String, Object> unix = Files.readAttributes(file, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
            assertEquals(unix.get("ino"), entry.inode());
            assertEquals(((FileTime) unix.get("ctime")).to(TimeUnit.NANOSECONDS), entry.ctimeNanos());

            DiskEntry link = dir.stat("link");
            assertEquals(DiskEntry.Kind.SYMLINK, link.kind());
            assertEquals(Files.readAttributes(folder.resolve("link"), "unix:ino", LinkOption.NOFOLLOW_LINKS)
                    .get("ino"), link.inode());
            assertEquals(file.toString(), link.symlinkTarget());
            assertEquals(DiskEntry.Kind.DIRECTORY, dir.stat("d").kind());
            assertEquals(DiskEntry.ABSENT, dir.stat("missing"));
        }
    }

    @Test
    void renameNeverReplacesWhatIsAtTheTarget() throws IOException {
        Files.writeString(folder.resolve("new"), "received");
        Files.writeString(folder.resolve("d/e/taken"), "the user's");
        try (NativeDirectory dir = NativeDirectory.open(folder); NativeDirectory target = dir.openBelow(
                List.of("d", "e"))) {
            assertEquals(NativeDirectory.Renamed.TAKEN, dir.renameNoReplace("new", target, "taken"));
            assertEquals("the user's", Files.readString(folder.resolve("d/e/taken")));
            assertEquals("received", Files.readString(folder.resolve("new")));

            assertEquals(NativeDirectory.Renamed.DONE, dir.renameNoReplace("new", target, "free"));
            assertEquals("received", Files.readString(folder.resolve("d/e/free")));
            assertTrue(Files.notExists(folder.resolve("new")));
        }
    }

    @Test
    void openBelowStopsAtASymlinkAFileOrAMissingName() throws IOException {
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "not mirror's");
        Files.createSymbolicLink(folder.resolve("d/link"), outside);
        Files.writeString(folder.resolve("d/file"), "x");
        try (NativeDirectory dir = NativeDirectory.open(folder)) {
            long open = openDescriptors();
            assertNull(dir.openBelow(List.of("d", "link")), "a symlinked directory is never opened");
            assertNull(dir.openBelow(List.of("d", "file")));
            assertNull(dir.openBelow(List.of("missing", "e")));
            assertNull(dir.openBelow(List.of("d", "missing")));
            assertEquals(open, openDescriptors(), "the directories opened on the way down are closed again");
            try (NativeDirectory e = dir.openBelow(List.of("d", "e")); NativeDirectory self = dir.openBelow(
                    List.of())) {
                assertNotNull(e);
                Files.writeString(folder.resolve("d/e/here"), "x");
                assertEquals(DiskEntry.Kind.FILE, e.stat("here").kind());
                assertEquals(DiskEntry.Kind.DIRECTORY, self.stat("d").kind());
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }
}
