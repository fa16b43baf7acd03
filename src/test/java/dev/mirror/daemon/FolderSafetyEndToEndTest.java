package dev.mirror.daemon;

import dev.mirror.core.Hash;
import dev.mirror.testing.Await;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A disk unmounted under a running peer must not read as "every file deleted": the peer whose folder vanished, was
 * replaced by an empty directory (an empty mount point), or lost its {@code .mirror/} stops with a clear reason, and
 * its partner keeps every file.
 */
@Timeout(60)
class FolderSafetyEndToEndTest extends EndToEndTest {
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"folder removed", "empty folder in its place", ".mirror removed"})
    void aPeerWhoseFolderVanishesStopsAndItsPartnerKeepsEveryFile(String how) throws Exception {
        Path a = peers.folder("a");
        Path b = peers.folder("b");
        TestFolders.write(a, "thesis/chapter-1.tex", "years of work");
        TestFolders.write(a, "photos/2024/beach.jpg", TestFolders.randomBytes(7, 50_000));
        Daemon inviter = peers.start(a, Optional.empty());
        Daemon joiner = peers.start(b, Optional.of(inviter.invite()));
        peers.awaitConverged(inviter, joiner, () -> Files.exists(b.resolve("photos/2024/beach.jpg")),
                "the first mirror");
        Hash before = joiner.root();

        switch (how) {
            case "folder removed" -> Files.move(a, temp.resolve("a-unmounted"));
            case "empty folder in its place" -> {
                Files.move(a, temp.resolve("a-unmounted"));
                Files.createDirectory(a);
            }
            default -> deleteTree(a.resolve(".mirror"));
        }

        Await.until(CONVERGE, () -> inviter.stopReason().isPresent(), "the inviter to stop");
        assertTrue(inviter.stopReason().get().contains(a.toString()), inviter.stopReason().get());
        assertEquals("years of work", Files.readString(b.resolve("thesis/chapter-1.tex")));
        assertTrue(Files.exists(b.resolve("photos/2024/beach.jpg")));
        assertEquals(before, joiner.root());
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
