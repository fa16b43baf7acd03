package dev.mirror.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileTimesTest {
    @TempDir
    Path dir;

    @Test
    void theMtimeIsSetToTheNanosecondAndTheAtimeIsLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("Überraschung-ü.txt"), "x");
        FileTime atime = FileTime.from(1_000_000_000L, TimeUnit.SECONDS);
        Files.setAttribute(file, "lastAccessTime", atime);
        long mtime = 1_234_567_890_123_456_789L;

        FileTimes.setMtime(file, mtime);

        assertEquals(mtime, Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS));
        assertEquals(atime, Files.getAttribute(file, "lastAccessTime"));
    }

    @Test
    void anMtimeBefore1970IsKept() throws Exception {
        Path file = Files.writeString(dir.resolve("old"), "x");
        long mtime = -86_400_000_000_123L; // 1969-12-31, and 123 ns short of a whole microsecond

        FileTimes.setMtime(file, mtime);

        assertEquals(mtime, Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS));
    }

    @Test
    void aSymlinkIsNotFollowed() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        FileTime before = Files.getLastModifiedTime(target);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        FileTimes.setMtime(link, 5_000_000_000L);

        assertEquals(before, Files.getLastModifiedTime(target));
        assertEquals(5_000_000_000L, Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS)
                .to(TimeUnit.NANOSECONDS));
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> FileTimes.setMtime(dir.resolve("missing"), 0));
    }
}
