package dev.mirror.cli;

import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A file or directory the scan may not read is reported and kept as last indexed: never turned into a deletion that
 * would propagate. Root reads everything, so as root the scan runs in a child process stripped of the capabilities
 * that bypass permissions (setpriv); as any other user, permissions alone do it.
 */
@Tag("e2e")
@Timeout(120)
class CliUnreadablePathsTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path folder;

    @Test
    void unreadableFileAndDirectoryAreReportedAndKeptAsIndexed() throws Exception {
        TestFolders.write(folder, "open.txt", "readable");
        Path secret = TestFolders.write(folder, "secret.txt", "first version");
        TestFolders.write(folder, "locked/inside.txt", "inside");
        ScanJson before = ScanJson.of(Cli.run("scan", "--json", folder.toString()));

        Files.writeString(secret, "a change the scan cannot see");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(folder.resolve("locked"), PosixFilePermissions.fromString("---------"));
        try {
            Cli.Result result = scanWithoutPrivileges();
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.err().contains("secret.txt: permission denied"), result.toString());
            assertTrue(result.err().contains("locked: cannot list directory (permission denied); kept as last "
                    + "indexed"), result.toString());
            ScanJson after = ScanJson.of(result);
            assertEquals(before, after, "nothing unreadable became a deletion or a new version");
        } finally {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(folder.resolve("locked"), PosixFilePermissions.fromString("rwx------"));
        }
    }

    private Cli.Result scanWithoutPrivileges() throws Exception {
        if (!ROOT) {
            return Cli.run("scan", "--json", folder.toString());
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) drops root's overrides");
        ProcessBuilder builder = Processes.mirror("scan", "--json", folder.toString());
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv",
                "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search"));
        command.addAll(builder.command());
        builder.command(command);
        return Processes.run(builder, Duration.ofSeconds(60));
    }
}
