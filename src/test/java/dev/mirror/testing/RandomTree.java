package dev.mirror.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a reproducible folder of many small files: the same seed gives the same names, nesting and bytes.
 * Stateless and thread-safe.
 */
public final class RandomTree {
    private static final int DIRECTORIES_PER_LEVEL = 10;

    private RandomTree() {
    }

    /**
     * Writes {@code files} files of 0 to {@code maxFileBytes} random bytes under {@code root}, spread over two levels
     * of directories ({@code d3/e7/f123}).
     *
     * @return the bytes written, which a scan must count
     */
    public static long write(Path root, long seed, int files, int maxFileBytes) throws IOException {
        Random random = new Random(seed);
        long total = 0;
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve("d" + (i % DIRECTORIES_PER_LEVEL))
                    .resolve("e" + (i / DIRECTORIES_PER_LEVEL % DIRECTORIES_PER_LEVEL));
            Files.createDirectories(dir);
            byte[] content = new byte[random.nextInt(maxFileBytes + 1)];
            random.nextBytes(content);
            Files.write(dir.resolve("f" + i), content);
            total += content.length;
        }
        return total;
    }
}
