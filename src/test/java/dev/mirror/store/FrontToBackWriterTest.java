package dev.mirror.store;

import com.sun.nio.file.ExtendedOpenOption;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real files in a temporary directory; direct I/O where its file system allows it (ext4, xfs: yes; tmpfs: maybe). */
class FrontToBackWriterTest {
    /** Past the direct-I/O threshold, and not a whole number of blocks or of buffers. */
    private static final int BIG = (int) FrontToBackWriter.DIRECT_MIN_BYTES + FrontToBackWriter.BUFFER_BYTES + 12_345;

    @TempDir
    Path dir;

    private final FrontToBackWriter.Buffers buffers = new FrontToBackWriter.Buffers();

    @Test
    void aBigFileWrittenInPiecesOfAnySizeHoldsExactlyTheBytes() throws IOException {
        assumeTrue(directIoWorksIn(dir), "this file system refuses direct I/O");
        byte[] content = TestFolders.randomBytes(1, BIG);
        Path path = dir.resolve("big");

        try (FileChannel file = create(path); FrontToBackWriter writer = open(file, path, BIG)) {
            assertTrue(writer.writesDirectly());
            writeInRandomPieces(writer, content, 0, BIG, new Random(2));
            assertTrue(writer.writesDirectly(), "contiguous writes keep going straight to the disk");
            writer.finish();
            assertFalse(writer.writesDirectly());
        }

        assertArrayEquals(content, Files.readAllBytes(path));
    }

    @Test
    void theBufferServesOneFileAfterAnother() throws IOException {
        byte[] first = TestFolders.randomBytes(3, BIG);
        byte[] second = TestFolders.randomBytes(4, BIG - 5_000);

        writeWhole(dir.resolve("first"), first);
        writeWhole(dir.resolve("second"), second);

        assertArrayEquals(first, Files.readAllBytes(dir.resolve("first")));
        assertArrayEquals(second, Files.readAllBytes(dir.resolve("second")));
    }

    @Test
    void aWriteThatSkipsAheadSendsTheRestThroughThePageCache() throws IOException {
        byte[] content = TestFolders.randomBytes(5, BIG);
        Path path = dir.resolve("resumed");
        int skipFrom = FrontToBackWriter.BUFFER_BYTES + 1_000;
        int skipTo = skipFrom + 70_000; // as if a part held these bytes already

        try (FileChannel file = create(path); FrontToBackWriter writer = open(file, path, BIG)) {
            writeInRandomPieces(writer, content, 0, skipFrom, new Random(6));
            writer.write(ByteBuffer.wrap(content, skipTo, BIG - skipTo), skipTo);
            assertFalse(writer.writesDirectly());
            writer.finish();
        }

        byte[] written = Files.readAllBytes(path);
        assertEquals(BIG, written.length);
        assertArrayEquals(Arrays.copyOfRange(content, 0, skipFrom), Arrays.copyOfRange(written, 0, skipFrom));
        assertArrayEquals(new byte[skipTo - skipFrom], Arrays.copyOfRange(written, skipFrom, skipTo));
        assertArrayEquals(Arrays.copyOfRange(content, skipTo, BIG), Arrays.copyOfRange(written, skipTo, BIG));
    }

    @Test
    void smallFilesAndPartsThatHoldBytesAreWrittenThroughThePageCache() throws IOException {
        Path small = dir.resolve("small");
        try (FileChannel file = create(small);
             FrontToBackWriter writer = open(file, small, FrontToBackWriter.DIRECT_MIN_BYTES - 1)) {
            assertFalse(writer.writesDirectly());
        }
        Path part = dir.resolve("part");
        Files.write(part, new byte[100]);
        try (FileChannel file = FileChannel.open(part, StandardOpenOption.WRITE);
             FrontToBackWriter writer = open(file, part, BIG)) {
            assertFalse(writer.writesDirectly(), "a part's bytes are kept, and they are not block-aligned");
        }
    }

    @Test
    void aDirectWriteThatFailsIsWrittenAgainThroughThePageCache() throws IOException {
        byte[] content = TestFolders.randomBytes(9, BIG);
        Path path = dir.resolve("refused");
        // A direct channel that fails every write, as a file system that takes O_DIRECT at open but not at write.
        FileChannel refusing = FileChannel.open(Files.createFile(dir.resolve("elsewhere")), StandardOpenOption.WRITE);
        refusing.close();
        assertTrue(buffers.allocateFor(dir));

        try (FileChannel file = create(path); FrontToBackWriter writer = new FrontToBackWriter(file, path, refusing,
                buffers)) {
            writeInRandomPieces(writer, content, 0, BIG, new Random(10));
            assertFalse(writer.writesDirectly(), "after a failed direct write, ordinary writes only");
            writer.finish();
        }

        assertArrayEquals(content, Files.readAllBytes(path));
    }

    @Test
    void onTmpfsTheBytesAreTheSameWithOrWithoutDirectIo() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm here");
        Path tmpfsDir = Files.createTempDirectory(shm, "mirror-writer");
        try {
            byte[] content = TestFolders.randomBytes(7, BIG);
            writeWhole(tmpfsDir.resolve("big"), content);
            assertArrayEquals(content, Files.readAllBytes(tmpfsDir.resolve("big")));
        } finally {
            Files.deleteIfExists(tmpfsDir.resolve("big"));
            Files.delete(tmpfsDir);
        }
    }

    @Test
    void closingWithoutFinishingLeavesOnlyWholeBuffersWritten() throws IOException {
        assumeTrue(directIoWorksIn(dir), "this file system refuses direct I/O");
        byte[] content = TestFolders.randomBytes(8, BIG);
        Path path = dir.resolve("given-up");

        try (FileChannel file = create(path); FrontToBackWriter writer = open(file, path, BIG)) {
            writer.write(ByteBuffer.wrap(content, 0, FrontToBackWriter.BUFFER_BYTES + 10), 0);
        }

        // What a later attempt finds in the part: verified chunk by chunk, so a shorter part only costs bytes.
        assertArrayEquals(Arrays.copyOf(content, FrontToBackWriter.BUFFER_BYTES), Files.readAllBytes(path));
    }

    private void writeWhole(Path path, byte[] content) throws IOException {
        try (FileChannel file = create(path); FrontToBackWriter writer = open(file, path, content.length)) {
            writeInRandomPieces(writer, content, 0, content.length, new Random(content.length));
            writer.finish();
        }
    }

    private static void writeInRandomPieces(FrontToBackWriter writer, byte[] content, int from, int to, Random random)
            throws IOException {
        for (int at = from; at < to; ) {
            int length = Math.min(to - at, 1 + random.nextInt(300_000));
            ByteBuffer piece = ByteBuffer.wrap(content, at, length);
            writer.write(piece, at);
            assertFalse(piece.hasRemaining());
            at += length;
        }
    }

    private FrontToBackWriter open(FileChannel file, Path path, long size) throws IOException {
        return FrontToBackWriter.open(file, path, size, buffers);
    }

    private static FileChannel create(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private static boolean directIoWorksIn(Path dir) {
        Path probe = dir.resolve("direct-io-probe");
        try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // only a probe
            }
        }
    }
}
