package dev.mirror.sync;

import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LocalChunksReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsAcrossFilesAndPastAFailureLikeSingleReads() throws Exception {
        byte[] one = TestFolders.randomBytes(1, 100_000);
        byte[] two = TestFolders.randomBytes(2, 50_000);
        Path first = Files.write(dir.resolve("one"), one);
        Path second = Files.write(dir.resolve("two"), two);
        Path link = Files.createSymbolicLink(dir.resolve("link"), first);

        try (LocalChunks.Reader reader = new LocalChunks.Reader()) {
            assertArrayEquals(Arrays.copyOfRange(one, 0, 40_000), reader.read(first, 0, 40_000));
            assertArrayEquals(Arrays.copyOfRange(one, 40_000, 100_000), reader.read(first, 40_000, 60_000));
            assertNull(reader.read(first, 90_000, 20_000), "the file ends first");
            assertArrayEquals(Arrays.copyOfRange(two, 10, 1_010), reader.read(second, 10, 1_000));
            assertNull(reader.read(dir.resolve("missing"), 0, 1));
            assertNull(reader.read(link, 0, 1), "a symlink is not followed");
            assertArrayEquals(Arrays.copyOfRange(one, 5, 10), reader.read(first, 5, 5), "and it goes on after");
        }
    }
}
