package dev.mirror.testing;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.tree.ScanReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/** Builds real folders on disk and scans them, for tests. */
public final class TestFolders {
    /**
     * Scans run with a clock a minute ahead, so files a test has just written are not "racily clean" and a
     * rescan need not read them again; tests of the racy case use their own clock.
     */
    public static final Clock AHEAD = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));

    private TestFolders() {
    }

    public static ScanReport scan(Path folder) throws IOException, InterruptedException {
        return scan(folder, 2);
    }

    public static ScanReport scan(Path folder, int threads) throws IOException, InterruptedException {
        try (Folder opened = Folder.open(folder, AHEAD, threads)) {
            return opened.scan(new ScanProgress());
        }
    }

    public static Path write(Path folder, String relative, String content) {
        return write(folder, relative, content.getBytes(StandardCharsets.UTF_8));
    }

    public static Path write(Path folder, String relative, byte[] content) {
        try {
            Path file = folder.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Seeded random bytes. */
    public static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static void setMtime(Path file, Instant time) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(time));
    }
}
