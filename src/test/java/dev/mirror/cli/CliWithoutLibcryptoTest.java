package dev.mirror.cli;

import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine without libcrypto, played by {@code -Dmirror.libcrypto=none} in a child JVM: every hash comes from the
 * JDK's SHA-256 and must equal libcrypto's (the index and the protocol carry them, so two peers that hash through
 * different ones must agree), and a JVM without C2 says why it is slow instead of being slow in silence.
 */
@Tag("e2e")
class CliWithoutLibcryptoTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    private static final String WITHOUT = "-Dmirror.libcrypto=none";

    @TempDir
    Path temp;

    @Test
    void theJdksDigestIndexesAFolderToTheSameRoot() throws Exception {
        Path folder = folderWithChunksAndBuckets(temp.resolve("folder"));

        ScanJson withLibrary = ScanJson.of(Processes.run(child(folder, List.of()), CHILD_TIMEOUT));
        deleteIndex(folder);
        Cli.Result jdkRun = Processes.run(child(folder, List.of("-XX:TieredStopAtLevel=4", WITHOUT)), CHILD_TIMEOUT);
        ScanJson withJdk = ScanJson.of(jdkRun);

        assertEquals(withLibrary, withJdk);
        assertFalse(jdkRun.err().contains("SHA-256 runs in Java"), jdkRun::toString);
    }

    @Test
    void aJvmWithoutC2AndWithoutTheLibraryWarnsOnce() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("small"));
        Files.writeString(folder.resolve("a.txt"), "a");

        Cli.Result run = Processes.run(child(folder, List.of("-XX:TieredStopAtLevel=1",
                "-Dmirror.libcrypto=libmirror-missing.so.0")), CHILD_TIMEOUT);

        assertEquals(0, run.exitCode(), run::toString);
        List<String> warnings = run.err().lines().filter(line -> line.contains("SHA-256 runs in Java")).toList();
        assertEquals(1, warnings.size(), run::toString);
        assertTrue(warnings.get(0).contains("libmirror-missing.so.0")
                && warnings.get(0).contains("-XX:TieredStopAtLevel=4"), run::toString);
    }

    private static ProcessBuilder child(Path folder, List<String> jvmOptions) {
        return Processes.mirror(jvmOptions, "scan", "--json", folder.toString());
    }

    /**
     * Files of many chunks (bigger than one read and one scratch buffer) and a directory of enough names to be cut
     * into several buckets, so that chunk, file, bucket and directory hashes all take part.
     */
    private static Path folderWithChunksAndBuckets(Path folder) {
        for (int i = 0; i < 3000; i++) {
            TestFolders.write(folder, "many/name-" + i, Integer.toString(i));
        }
        TestFolders.write(folder, "big.bin", TestFolders.randomBytes(11, 3 << 20));
        TestFolders.write(folder, "empty", new byte[0]);
        return folder;
    }

    private static void deleteIndex(Path folder) throws IOException {
        // The index only: the device's identity stays, and with it the version vectors that the root covers.
        try (var paths = Files.walk(folder.resolve(".mirror").resolve("index"))) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
