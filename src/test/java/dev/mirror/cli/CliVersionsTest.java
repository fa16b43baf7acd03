package dev.mirror.cli;

import dev.mirror.store.FileInstaller;
import dev.mirror.store.StateDirectory;
import dev.mirror.testing.Cli;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mirror versions} and {@code mirror restore} in this JVM with no peer running: versions are made the way a
 * pull makes them, by the installer deleting or replacing a file.
 */
@Timeout(30)
class CliVersionsTest {
    /** Versions made by the test were kept a while ago: before anything the commands keep now. */
    private static final Clock EARLIER = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));

    @TempDir
    Path folder;

    @Test
    void versionsListsTheKeptVersionsNewestFirst() throws IOException {
        TestFolders.write(folder, "é/a.txt", "first");
        deleteWithInstaller("é/a.txt", EARLIER);
        TestFolders.write(folder, "é/a.txt", "second!");
        deleteWithInstaller("é/a.txt", Clock.offset(EARLIER, Duration.ofMinutes(1)));

        Cli.Result run = Cli.run("versions", folder.toString(), "é/a.txt");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.outLines();
        assertEquals(3, lines.size(), run::toString);
        assertEquals("  #  replaced                   size  by       kept as", lines.get(0), run::toString);
        assertTrue(lines.get(1).matches("  1  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d         7 B  unknown  "
                + "\\.mirror/versions/é/a~\\d{8}-\\d{6}\\.txt"), run::toString);
        assertTrue(lines.get(2).matches("  2  .*         5 B  unknown  .*"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void versionsAcceptsAPathUnderTheFolderAndPrintsJson() throws IOException {
        TestFolders.write(folder, "a b.txt", "old");
        deleteWithInstaller("a b.txt", EARLIER);

        Cli.Result run = Cli.run("versions", "--json", folder.resolve("a b.txt").toString());

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("{\"path\":\"a b.txt\",\"versions\":[{\"number\":1,\"replaced\":\""),
                run::toString);
        assertTrue(run.out().contains("\"size\":3,\"device\":null,\"symlink\":false,\"file\":\""
                + folder.resolve(".mirror/versions/a b~")), run::toString);
    }

    @Test
    void versionsOfAPathWithNoneSaysSoAndExitsZero() throws IOException {
        TestFolders.write(folder, "here.txt", "never replaced");
        Files.createDirectories(folder.resolve(".mirror"));

        Cli.Result run = Cli.run("versions", folder.toString(), "here.txt");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(List.of("No earlier version of here.txt is kept."), run.outLines(), run::toString);
    }

    @Test
    void versionsOfAnUnknownPathIsOneSentenceAndExitOne() {
        Cli.Result run = Cli.run("versions", folder.toString(), "nowhere.txt");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(List.of("mirror: Nothing is known of nowhere.txt in " + folder + ": it is not there, and no "
                + "earlier version of it is kept."), run.errLines(), run::toString);
    }

    @Test
    void pathOutsideTheFolderIsAUsageError() {
        Cli.Result run = Cli.run("versions", folder.toString(), "../elsewhere.txt");

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("mirror: PATH must name something inside " + folder + ", not "
                + folder.getParent().resolve("elsewhere.txt") + ".", run.errLines().get(0), run::toString);
    }

    @Test
    void restoreBringsTheNewestBackAndKeepsWhatItReplaced() throws Exception {
        TestFolders.write(folder, "d/notes.txt", "the good draft");
        deleteWithInstaller("d/notes.txt", EARLIER);
        TestFolders.write(folder, "d/notes.txt", "a bad rewrite");
        String self = Cli.run("id", folder.toString()).out().strip();

        Cli.Result run = Cli.run("restore", folder.toString(), "d/notes.txt");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("Restored d/notes.txt from version 1 ("), run::toString);
        assertEquals("the good draft", Files.readString(folder.resolve("d/notes.txt")));
        Cli.Result versions = Cli.run("versions", "--json", folder.toString(), "d/notes.txt");
        List<String> files = strings(versions.out(), "file");
        assertEquals(2, files.size(), versions::toString);
        assertEquals("a bad rewrite", Files.readString(Path.of(files.get(0))), "the replaced file is version 1");
        assertEquals("the good draft", Files.readString(Path.of(files.get(1))), "the restored one stays kept");
        assertEquals(self, strings(versions.out(), "device").get(0), versions::toString);
    }

    @Test
    void restoreOfAVersionBeyondTheLastIsOneSentenceAndExitOne() throws IOException {
        TestFolders.write(folder, "a.txt", "old");
        deleteWithInstaller("a.txt", EARLIER);

        Cli.Result run = Cli.run("restore", folder.toString(), "a.txt", "--version", "4");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(List.of("mirror: a.txt has 1 kept version, so there is no version 4; 'mirror versions' lists "
                + "them."), run.errLines(), run::toString);
        assertTrue(Files.notExists(folder.resolve("a.txt")));
    }

    @Test
    void restoreVersionZeroIsAUsageError() {
        Cli.Result run = Cli.run("restore", folder.toString(), "a.txt", "--version", "0");

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("mirror: --version counts from 1 (the newest), not 0.", run.errLines().get(0), run::toString);
    }

    @Test
    void keepVersionsZeroIsAUsageError() {
        Cli.Result run = Cli.run("serve", folder.toString(), "--keep-versions", "0");

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("mirror: Invalid value for option '--keep-versions': '0' is not a number of versions from 1 to "
                + "1000 (mirror always keeps at least the last one).", run.errLines().get(0), run::toString);
    }

    /** The string values of {@code key} in {@code json}, in order; values with escapes are not expected here. */
    private static List<String> strings(String json, String key) {
        return Pattern.compile("\"" + key + "\":\"([^\"\\\\]*)\"").matcher(json).results()
                .map(match -> match.group(1)).toList();
    }

    /** Deletes {@code path} as a pull would: the installer moves it to .mirror/versions/, tagged by {@code clock}. */
    private void deleteWithInstaller(String path, Clock clock) throws IOException {
        try (FileInstaller installer = FileInstaller.open(StateDirectory.open(folder), clock)) {
            installer.delete(path, installer.current(path));
        }
    }
}
