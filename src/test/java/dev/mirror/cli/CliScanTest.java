package dev.mirror.cli;

import dev.mirror.testing.Cli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mirror scan DIR} in this JVM, on a folder whose files, directories and bytes are known. */
@Timeout(30)
class CliScanTest {
    private static final long FILES = 3;
    private static final long DIRS = 2;
    private static final long BYTES = 12 + 1_000 + 70_000;

    @TempDir
    Path folder;

    /** notes.txt, photos/été.jpg and photos/2024/raw.bin: 3 files in 2 nested directories, 71,012 bytes. */
    @BeforeEach
    void writeKnownFolder() throws IOException {
        Random random = new Random(7);
        Files.writeString(folder.resolve("notes.txt"), "hello, world");
        Path photos = Files.createDirectories(folder.resolve("photos"));
        Files.write(photos.resolve("été.jpg"), randomBytes(random, 1_000));
        Files.write(Files.createDirectories(photos.resolve("2024")).resolve("raw.bin"), randomBytes(random, 70_000));
    }

    @Test
    void scanPrintsRootFilesDirsAndBytesAndExitsZero() {
        Cli.Result run = Cli.run("scan", folder.toString());

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.outLines();
        assertEquals(5, lines.size(), run::toString);
        assertTrue(lines.get(0).matches("root   [0-9a-f]{64}"), run::toString);
        assertEquals(List.of("files  3", "dirs   2", "bytes  69.3 KiB", "read   3 files, 69.3 KiB"),
                lines.subList(1, 5), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void scanJsonPrintsOneObjectWithTheFolderTotals() {
        ScanJson scan = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        assertEquals(FILES, scan.files());
        assertEquals(DIRS, scan.dirs());
        assertEquals(BYTES, scan.bytes());
    }

    @Test
    void textAndJsonShowTheSameRoot() {
        String textRoot = Cli.run("scan", folder.toString()).outLines().get(0).substring("root   ".length());

        assertEquals(textRoot, ScanJson.of(Cli.run("scan", "--json", folder.toString())).root());
    }

    @Test
    void scanningAnUnchangedFolderAgainGivesTheSameRoot() {
        ScanJson first = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        ScanJson second = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        assertEquals(first, second);
    }

    @Test
    void changingOneFileChangesTheRootAndTheBytes() throws IOException {
        ScanJson before = ScanJson.of(Cli.run("scan", "--json", folder.toString()));
        Files.writeString(folder.resolve("notes.txt"), "!", StandardOpenOption.APPEND);

        ScanJson after = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        assertNotEquals(before.root(), after.root());
        assertEquals(new ScanJson(after.root(), FILES, DIRS, BYTES + 1), after);
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
