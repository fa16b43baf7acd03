package dev.mirror.cli;

import dev.mirror.testing.Cli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paths a scan cannot index (a FIFO, a socket, a name that is not UTF-8) are listed on stderr with the reason, the
 * rest of the folder is indexed, stdout stays one clean JSON line, and the exit code stays 0. The class timeout also
 * guards against a scan that opens a FIFO and blocks forever.
 */
@Timeout(30)
class CliUnindexablePathsTest {
    /** Beside the unindexable path: kept.txt and sub/also-kept.txt. */
    private static final long KEPT_FILES = 2;
    private static final long KEPT_DIRS = 1;

    @TempDir
    Path folder;

    @BeforeEach
    void writeIndexableFiles() throws IOException {
        Files.writeString(folder.resolve("kept.txt"), "kept");
        Files.writeString(Files.createDirectory(folder.resolve("sub")).resolve("also-kept.txt"), "also kept");
    }

    static Stream<Case> unindexable() {
        return Stream.of(
                new Case("a FIFO is skipped", folder -> runIn(folder, "mkfifo", "pipe"), "pipe", "FIFO"),
                new Case("a Unix domain socket is skipped", CliUnindexablePathsTest::listenOnSocket, "control.sock",
                        "socket"),
                new Case("a name that is not valid UTF-8 is skipped",
                        folder -> runIn(folder, "sh", "-c", "touch \"$(printf 'bad\\377name')\""), "bad\uFFFDname",
                        "not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unindexable")
    void unindexablePathIsReportedWithItsReasonAndTheRestIsIndexed(Case unindexable) throws Exception {
        AutoCloseable made = unindexable.maker().make(folder);
        Cli.Result run;
        try (made) {
            run = Cli.run("scan", "--json", folder.toString());
        }

        ScanJson scan = ScanJson.of(run);
        assertEquals(KEPT_FILES, scan.files(), run::toString);
        assertEquals(KEPT_DIRS, scan.dirs(), run::toString);
        List<String> err = run.errLines();
        assertEquals(2, err.size(), run::toString);
        assertEquals("mirror: 1 path was not indexed as it is:", err.get(0));
        String line = err.get(1);
        assertTrue(line.startsWith("  " + unindexable.shownName() + ": "), () -> "path not named first:\n" + run);
        assertTrue(line.contains(unindexable.reason()), () -> "reason missing:\n" + run);
        assertTrue(line.contains("skipped"), () -> "not said to be skipped:\n" + run);
    }

    @Test
    void everyUnindexablePathIsListedOnce() throws Exception {
        List<String> names = new ArrayList<>();
        List<AutoCloseable> made = new ArrayList<>();
        Cli.Result run;
        try {
            for (Case unindexable : unindexable().toList()) {
                made.add(unindexable.maker().make(folder));
                names.add(unindexable.shownName());
            }
            run = Cli.run("scan", "--json", folder.toString());
        } finally {
            for (AutoCloseable resource : made) {
                resource.close();
            }
        }

        assertEquals(KEPT_FILES, ScanJson.of(run).files());
        List<String> err = run.errLines();
        assertEquals("mirror: 3 paths were not indexed as it is:", err.get(0), run::toString);
        List<String> listed = new ArrayList<>();
        for (String line : err.subList(1, err.size())) {
            listed.add(line.substring(2, line.indexOf(": ")));
        }
        assertEquals(names.stream().sorted().toList(), listed.stream().sorted().toList(), run::toString);
    }

    @Test
    void problemsBeyondTwentyAreCountedNotListed() throws Exception {
        List<String> command = new ArrayList<>(List.of("mkfifo"));
        for (int i = 0; i < 25; i++) {
            command.add("pipe-" + i);
        }
        runIn(folder, command.toArray(String[]::new));

        Cli.Result run = Cli.run("scan", "--json", folder.toString());

        assertEquals(KEPT_FILES, ScanJson.of(run).files());
        List<String> err = run.errLines();
        assertEquals(22, err.size(), run::toString);
        assertEquals("mirror: 25 paths were not indexed as it is:", err.get(0));
        assertEquals("  … and 5 more", err.get(21));
    }

    /** Runs a command in {@code folder}; returns nothing to close, so it can serve as a {@link Maker}. */
    private static AutoCloseable runIn(Path folder, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(folder.toFile()).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
        return () -> { };
    }

    private static AutoCloseable listenOnSocket(Path folder) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(folder.resolve("control.sock")));
        return server;
    }

    /** Makes one unindexable path in a folder; what it returns is closed after the scan. */
    interface Maker {
        AutoCloseable make(Path folder) throws Exception;
    }

    /** An unindexable path: how it is made, the name stderr shows for it, and a word its reason must contain. */
    record Case(String description, Maker maker, String shownName, String reason) {
        @Override
        public String toString() {
            return description;
        }
    }
}
