package dev.mirror.cli;

import dev.mirror.core.DeviceId;
import dev.mirror.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mirror id DIR} in this JVM: the device ID a user reads aloud, and the private key it is made from. */
@Timeout(30)
class CliIdTest {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    @TempDir
    Path folder;

    @Test
    void idPrintsOneLineOfEightGroupsOfSeven() {
        Cli.Result run = Cli.run("id", folder.toString());

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().matches("[A-Z2-7]{7}(-[A-Z2-7]{7}){7}\n"), run::toString);
        assertDoesNotThrow(() -> DeviceId.parse(run.out().strip()), "check characters");
        assertEquals("", run.err());
    }

    @Test
    void idIsTheSameOnTheSecondCall() {
        String first = Cli.run("id", folder.toString()).out();

        Cli.Result second = Cli.run("id", folder.toString());

        assertEquals(0, second.exitCode(), second::toString);
        assertEquals(first, second.out());
    }

    @Test
    void identityIsKeptInMirrorFolderWithOwnerOnlyPermissions() throws IOException {
        Cli.run("id", folder.toString());

        Path identity = folder.resolve(".mirror/identity");
        assertTrue(Files.isDirectory(identity), identity + " is not a directory");
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(folder.resolve(
                ".mirror")));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(identity));
        List<Path> files;
        try (Stream<Path> listing = Files.list(identity)) {
            files = listing.toList();
        }
        assertFalse(files.isEmpty(), identity + " is empty");
        for (Path file : files) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            permissions.retainAll(GROUP_OR_OTHERS);
            assertEquals(Set.of(), permissions, file + " is open to group or others");
        }
    }
}
