package dev.mirror.daemon;

import dev.mirror.identity.Invite;
import dev.mirror.testing.Await;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real peers whose periodic rescan is an hour away: every change below reaches the other side through the
 * watcher alone, within a few seconds (each arrival is timed and printed).
 */
@Timeout(60)
class WatchEndToEndTest extends EndToEndTest {
    private static final Duration RESCAN = Duration.ofHours(1);
    private static final Duration ARRIVE = Duration.ofSeconds(5);

    @Override
    Duration converge() {
        return ARRIVE;
    }

    private final Map<String, Long> latencyMillis = new LinkedHashMap<>();

    @Test
    void createEditRenameMoveAndDeleteArriveThroughTheWatcher() throws Exception {
        Path a = peers.folder("a");
        Path b = peers.folder("b");
        TestFolders.write(a, "start.txt", "start");
        Daemon inviter = start(a, Optional.empty());
        Daemon joiner = start(b, Optional.of(inviter.invite()));
        Await.until(ARRIVE, () -> Files.exists(b.resolve("start.txt")), "the first mirror");
        assertTrue(inviter.status().watching() && joiner.status().watching(), "both peers watch their folder");

        timed("create", () -> TestFolders.write(a, "new.txt", "new"), () -> content(b, "new.txt").equals("new"));
        timed("edit", () -> TestFolders.write(a, "new.txt", "edited"),
                () -> content(b, "new.txt").equals("edited"));
        timed("rename", () -> move(a, "new.txt", "renamed.txt"),
                () -> !exists(b, "new.txt") && content(b, "renamed.txt").equals("edited"));
        timed("create in a new directory", () -> TestFolders.write(a, "dir/sub/f.txt", "f"),
                () -> content(b, "dir/sub/f.txt").equals("f"));
        timed("move a directory", () -> move(a, "dir", "moved/dir"),
                () -> !exists(b, "dir") && content(b, "moved/dir/sub/f.txt").equals("f"));
        timed("delete", () -> delete(a, "start.txt"), () -> !exists(b, "start.txt"));
        timed("create on the joiner", () -> TestFolders.write(b, "back.txt", "back"),
                () -> content(a, "back.txt").equals("back"));

        Await.until(ARRIVE, () -> tree(a).equals(tree(b)) && inviter.root().equals(joiner.root()),
                "both folders and roots equal");
        System.out.println("Watch end to end, write to arrival on the other peer (ms): " + latencyMillis);
    }

    @Test
    void aChangeOnOneJoinerReachesTheOtherThroughTheirInviter() throws Exception {
        Path a = peers.folder("a");
        Path b = peers.folder("b");
        Path c = peers.folder("c");
        TestFolders.write(a, "shared.txt", "from a");
        Daemon hub = start(a, Optional.empty());
        Daemon laptop = start(b, Optional.of(hub.invite()));
        Daemon desktop = start(c, Optional.of(hub.invite())); // a second line, as from `mirror invite`
        peers.awaitConverged(hub, laptop, () -> true, "b to mirror a");
        peers.awaitConverged(hub, desktop, () -> true, "c to mirror a");

        timed("b to c through a", () -> TestFolders.write(b, "notes/from-b.txt", "written on b"),
                () -> content(c, "notes/from-b.txt").equals("written on b"));
        timed("c to b through a", () -> delete(c, "shared.txt"), () -> !exists(b, "shared.txt"));

        peers.awaitConverged(hub, laptop, () -> true, "a and b to agree");
        peers.awaitConverged(hub, desktop, () -> laptop.root().equals(desktop.root()), "every root to be equal");
        assertEquals(tree(b), tree(c));
        System.out.println("Three peers, write to arrival at the far peer (ms): " + latencyMillis);
    }

    private Daemon start(Path dir, Optional<Invite> join) throws Exception {
        return peers.start(dir, "127.0.0.1:0", TestFolders.AHEAD, RESCAN, join);
    }

    private void timed(String what, Runnable change, BooleanSupplier arrived) {
        long start = System.nanoTime();
        change.run();
        Await.until(ARRIVE, arrived, what + " to arrive");
        latencyMillis.put(what, (System.nanoTime() - start) / 1_000_000);
    }

    private static void move(Path folder, String from, String to) {
        try {
            Files.createDirectories(folder.resolve(to).getParent());
            Files.move(folder.resolve(from), folder.resolve(to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path folder, String relative) {
        try {
            Files.delete(folder.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean exists(Path folder, String relative) {
        return Files.exists(folder.resolve(relative), LinkOption.NOFOLLOW_LINKS);
    }

    private static String content(Path folder, String relative) {
        try {
            return Files.readString(folder.resolve(relative));
        } catch (IOException e) {
            return "";
        }
    }

    /** Every path outside {@code .mirror/}, with a file's content or "dir". */
    private static Map<String, String> tree(Path root) {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root) && !p.startsWith(root.resolve(".mirror"))).forEach(p ->
                    tree.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : content(root,
                            root.relativize(p).toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }
}
