package dev.mirror.cli;

import dev.mirror.daemon.Folder;
import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import dev.mirror.testing.RandomTree;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code mirror} in a child JVM, for what only a real second process shows: the folder lock, and pipes. */
@Tag("e2e")
@Timeout(60)
class CliProcessTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path folder;

    @Test
    @SuppressWarnings("try") // The folder is opened only for the lock it holds until closed.
    void secondMirrorOnTheSameFolderExitsOneNamingThePidThatHoldsIt() throws Exception {
        try (Folder running = Folder.open(folder)) {
            Cli.Result run = Processes.run(CHILD_TIMEOUT, "scan", folder.toString());

            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("mirror: mirror is already running on " + folder + " (pid " + ProcessHandle.current().pid()
                    + "); stop it first, or wait for it to finish.\n", run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void scanOfTheCurrentFolderIntoPipesPrintsTheResultAndNoProgressLine() throws Exception {
        long bytes = RandomTree.write(folder, 3, 400, 2_000);

        Cli.Result run = Processes.run(Processes.mirror("scan", "--json").directory(folder.toFile()), CHILD_TIMEOUT);

        assertFalse(run.out().contains("\r") || run.err().contains("\r"), () -> "a progress line:\n" + run);
        assertEquals("", run.err());
        ScanJson scan = ScanJson.of(run);
        assertEquals(400, scan.files());
        assertEquals(110, scan.dirs());
        assertEquals(bytes, scan.bytes());
    }
}
