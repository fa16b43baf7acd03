package dev.mirror.daemon;

import dev.mirror.store.KeptVersion;
import dev.mirror.store.StateDirectory;
import dev.mirror.testing.Await;
import dev.mirror.testing.Cli;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real peers: a delete mirrored from one is kept in the other's versions, and {@code mirror restore} on that
 * other, answered by its running peer, brings the file back on both.
 */
@Timeout(60)
class VersionsEndToEndTest extends EndToEndTest {
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @Test
    void deleteMirroredFromAIsKeptOnBAndRestoreOnBBringsItBackOnBoth() throws Exception {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path b = Files.createDirectories(temp.resolve("b"));
        TestFolders.write(a, "docs/précieux.txt", "a whole week of work");
        Daemon inviter = peers.start(a, Optional.empty());
        Daemon joiner = peers.start(b, Optional.of(inviter.invite()));
        awaitSameRoot(inviter, joiner, () -> Files.exists(b.resolve("docs/précieux.txt")), "the first mirror");

        Files.delete(a.resolve("docs/précieux.txt"));
        awaitSameRoot(inviter, joiner, () -> !Files.exists(b.resolve("docs/précieux.txt")), "the delete on b");

        List<KeptVersion> kept = Restore.versions(StateDirectory.open(b), "docs/précieux.txt");
        assertEquals(1, kept.size(), kept::toString);
        assertEquals(Optional.of(inviter.deviceId()), kept.get(0).replacedBy());
        assertEquals("a whole week of work", Files.readString(kept.get(0).file()));

        Cli.Result restore = Cli.run("restore", b.toString(), "docs/précieux.txt");

        assertEquals(0, restore.exitCode(), restore::toString);
        assertTrue(restore.out().startsWith("Restored docs/précieux.txt from version 1"), restore::toString);
        assertEquals("a whole week of work", Files.readString(b.resolve("docs/précieux.txt")));
        awaitSameRoot(inviter, joiner, () -> Files.exists(a.resolve("docs/précieux.txt")), "the restore on a");
        assertEquals("a whole week of work", Files.readString(a.resolve("docs/précieux.txt")));
    }

    private void awaitSameRoot(Daemon x, Daemon y, java.util.function.BooleanSupplier also, String description) {
        Await.until(CONVERGE, () -> x.root().equals(y.root()) && also.getAsBoolean(), description);
    }
}
