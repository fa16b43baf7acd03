package dev.mirror.scan;

import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class FileHasherTest {
    private static final long AN_HOUR_AHEAD_NANOS = (System.currentTimeMillis() + 3_600_000L) * 1_000_000L;

    @TempDir
    Path folder;

    private final Chunker chunker = new Chunker(ChunkerParams.DEFAULT);

    @Test
    void hashOfAFileIsTheHashOverItsChunks() throws IOException {
        byte[] content = TestFolders.randomBytes(5, 1 << 20);
        Path file = TestFolders.write(folder, "f.bin", content);
        HashedFile hashed = hasher(AN_HOUR_AHEAD_NANOS).hash(file, FileStats.read(file, "f.bin"));
        assertEquals(content.length, hashed.chunks().totalBytes());
        assertEquals(chunksOf(content), hashed.chunks());
        assertFalse(hashed.racy());
    }

    @Test
    void fileModifiedJustBeforeItIsReadIsMarkedRacy() throws IOException {
        Path file = TestFolders.write(folder, "f.txt", "now");
        long justAfterWrite = System.currentTimeMillis() * 1_000_000L;
        HashedFile hashed = hasher(justAfterWrite).hash(file, FileStats.read(file, "f.txt"));
        assertTrue(hashed.racy(), "a second write in the same timestamp tick could go unseen");
    }

    @Test
    void statThatNoLongerHoldsMeansReadAgainAndTheNewContentIsHashed() throws IOException {
        Path file = TestFolders.write(folder, "f.txt", "old content");
        FileStat before = FileStats.read(file, "f.txt");
        Files.writeString(file, "new content, longer");
        HashedFile hashed = hasher(AN_HOUR_AHEAD_NANOS).hash(file, before);
        assertEquals(chunksOf(Files.readAllBytes(file)), hashed.chunks());
        assertEquals(Files.size(file), hashed.stat().size());
    }

    @Test
    void fileGrowingWhileReadIsNeverHashedAsAMixOfVersions() throws Exception {
        Path file = TestFolders.write(folder, "log.bin", TestFolders.randomBytes(9, 4 << 20));
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> appendUntil(file, stop));
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                try {
                    HashedFile hashed = hasher(AN_HOUR_AHEAD_NANOS).hash(file, FileStats.read(file, "log.bin"));
                    // Only appends happen, so a consistent read is exactly a prefix of the file as it is later.
                    byte[] prefix = Arrays.copyOf(Files.readAllBytes(file), (int) hashed.stat().size());
                    assertEquals(chunksOf(prefix), hashed.chunks());
                } catch (FileChangedException expected) {
                    assertTrue(expected.getMessage().contains("changed while being read"));
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void symlinkIsNeverFollowedWhenReading() throws IOException {
        Path target = TestFolders.write(folder, "target.txt", "secret");
        Path link = folder.resolve("link");
        Files.createSymbolicLink(link, target);
        FileStat stat = FileStats.read(link, "link");
        assertEquals(FileType.SYMLINK, stat.type());
        assertThrows(IOException.class, () -> hasher(AN_HOUR_AHEAD_NANOS).hash(link, stat));
    }

    private FileHasher hasher(long wallClockNanos) {
        return new FileHasher(chunker, () -> wallClockNanos);
    }

    private ChunkList chunksOf(byte[] content) {
        ChunkList.Builder builder = new ChunkList.Builder();
        int offset = 0;
        while (offset < content.length) {
            int length = chunker.nextCut(content, offset, content.length, true);
            byte[] chunk = Arrays.copyOfRange(content, offset, offset + length);
            builder.add(length, dev.mirror.core.Hash.sha256(chunk));
            offset += length;
        }
        return builder.build();
    }

    private static void appendUntil(Path file, AtomicBoolean stop) {
        byte[] block = new byte[512];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            // Bounded, so a failure cannot fill the disk.
            for (int written = 0; !stop.get() && written < 64 << 20; written += block.length) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
