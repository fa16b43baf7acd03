package dev.mirror.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small file read for a peer only while it is what the index says: real files, the C library's calls. */
@Timeout(30)
class UnchangedFilesTest {
    private static final long MTIME_NANOS = Instant.parse("2024-05-01T12:00:00.123456789Z").getEpochSecond()
            * 1_000_000_000L + 123_456_789;

    @TempDir
    Path dir;

    private final byte[] bytes = "the bytes of a small file".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private Path file;

    @BeforeEach
    void write() throws IOException {
        assertTrue(UnchangedFiles.isAvailable(), "this machine binds the C library's calls");
        file = dir.resolve("small.txt");
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(MTIME_NANOS, TimeUnit.NANOSECONDS));
    }

    @Test
    void aFileAsIndexedIsReadWhole() throws IOException {
        assertArrayEquals(bytes, UnchangedFiles.read(file, bytes.length, MTIME_NANOS));
        Path empty = Files.createFile(dir.resolve("empty"));
        Files.setLastModifiedTime(empty, FileTime.from(MTIME_NANOS, TimeUnit.NANOSECONDS));
        assertArrayEquals(new byte[0], UnchangedFiles.read(empty, 0, MTIME_NANOS));
    }

    @Test
    void aFileLargerThanOneReadIsReadInPieces() throws IOException {
        byte[] large = new byte[(64 << 10) * 2 + 123];
        new Random(7).nextBytes(large);
        Path big = dir.resolve("big.bin");
        Files.write(big, large);
        Files.setLastModifiedTime(big, FileTime.from(MTIME_NANOS, TimeUnit.NANOSECONDS));

        assertArrayEquals(large, UnchangedFiles.read(big, large.length, MTIME_NANOS));
        assertArrayEquals(bytes, UnchangedFiles.read(file, bytes.length, MTIME_NANOS), "nothing left over");
    }

    @Test
    void aFileOfAnotherSizeOrMtimeIsNotRead() {
        assertNull(UnchangedFiles.read(file, bytes.length + 1, MTIME_NANOS), "longer in the index: it ends first");
        assertNull(UnchangedFiles.read(file, bytes.length - 1, MTIME_NANOS), "shorter in the index");
        assertNull(UnchangedFiles.read(file, bytes.length, MTIME_NANOS + 1), "modified since, by a nanosecond");
    }

    @Test
    void aFileAsIndexedIsReadIntoNativeMemoryWhereItIsGiven() {
        ByteBuffer memory = ByteBuffer.allocateDirect(bytes.length + 10);
        ByteBuffer target = memory.slice(7, bytes.length);

        assertTrue(UnchangedFiles.readInto(file, MTIME_NANOS, target));

        assertEquals(0, target.position(), "the caller's buffer is left as it was");
        byte[] read = new byte[bytes.length];
        memory.get(7, read);
        assertArrayEquals(bytes, read);
        assertEquals(0, memory.get(6), "nothing before it");
        assertEquals(0, memory.get(7 + bytes.length), "nothing after it");
    }

    @Test
    void aFileOfAnotherSizeOrMtimeIsNotReadIntoNativeMemoryEither() {
        assertFalse(UnchangedFiles.readInto(file, MTIME_NANOS, ByteBuffer.allocateDirect(bytes.length + 1)));
        assertFalse(UnchangedFiles.readInto(file, MTIME_NANOS, ByteBuffer.allocateDirect(bytes.length - 1)));
        assertFalse(UnchangedFiles.readInto(file, MTIME_NANOS + 1, ByteBuffer.allocateDirect(bytes.length)));
        assertFalse(UnchangedFiles.readInto(dir.resolve("gone"), MTIME_NANOS, ByteBuffer.allocateDirect(1)));
        assertThrows(IllegalArgumentException.class,
                () -> UnchangedFiles.readInto(file, MTIME_NANOS, ByteBuffer.allocate(bytes.length)));
    }

    @Test
    void aMissingFileASymlinkADirectoryOrAFifoIsNotRead() throws Exception {
        assertNull(UnchangedFiles.read(dir.resolve("gone"), bytes.length, MTIME_NANOS));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertNull(UnchangedFiles.read(link, bytes.length, MTIME_NANOS), "a symlink is never followed");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertNull(UnchangedFiles.read(sub, 0, Files.getLastModifiedTime(sub).to(TimeUnit.NANOSECONDS)));
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo");
        // Opened without blocking (nobody writes to it), and not a regular file.
        assertNull(UnchangedFiles.read(fifo, 0, Files.getLastModifiedTime(fifo).to(TimeUnit.NANOSECONDS)));
    }
}
