package dev.mirror.watch;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.testing.Await;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.ScanReport;
import dev.mirror.tree.TreeSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The watcher on a real folder: every kind of change is reported by the directory it happened in. */
@Timeout(60)
class FolderWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final WatchSettings FAST = new WatchSettings(Duration.ofMillis(20), Duration.ofMillis(100),
            Duration.ofHours(1));

    @TempDir
    Path folder;
    @TempDir
    Path outside;

    private final List<ChangeSet> reported = new CopyOnWriteArrayList<>();
    private FolderWatcher watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Test
    void createModifyDeleteAndRenameReportTheirDirectories() throws Exception {
        Files.createDirectories(folder.resolve("a/b"));
        Files.createDirectories(folder.resolve("c"));
        start(dir -> true);
        assertTrue(watcher.isWatching());
        Path file = TestFolders.write(folder, "a/b/f.txt", "one");
        awaitDirectory(folder.resolve("a/b"));
        reported.clear();
        Files.writeString(file, "two");
        awaitDirectory(folder.resolve("a/b"));
        reported.clear();
        Files.move(file, folder.resolve("c/g.txt"));
        awaitDirectory(folder.resolve("a/b"));
        awaitDirectory(folder.resolve("c"));
        reported.clear();
        Files.delete(folder.resolve("c/g.txt"));
        awaitDirectory(folder.resolve("c"));
    }

    @Test
    void newDirectoryIsWatchedAndReportedWhole() throws Exception {
        start(dir -> true);
        Files.createDirectories(folder.resolve("new/deeper"));
        awaitDirectory(folder);
        Await.until(WAIT, () -> subtrees().contains(folder.resolve("new")), "the new directory, whole");
        reported.clear();
        TestFolders.write(folder, "new/deeper/f.txt", "f");
        awaitDirectory(folder.resolve("new/deeper"));
    }

    @Test
    void directoryMovedInIsWatchedAndOneMovedOutIsNot() throws Exception {
        TestFolders.write(outside, "tree/sub/f.txt", "f");
        start(dir -> true);
        Files.move(outside.resolve("tree"), folder.resolve("tree"));
        Await.until(WAIT, () -> subtrees().contains(folder.resolve("tree")), "the directory moved in, whole");
        reported.clear();
        TestFolders.write(folder, "tree/sub/g.txt", "g");
        awaitDirectory(folder.resolve("tree/sub"));

        Files.move(folder.resolve("tree"), outside.resolve("back"));
        awaitDirectory(folder);
        reported.clear();
        TestFolders.write(outside, "back/sub/h.txt", "h");
        TestFolders.write(folder, "marker", "m");
        awaitDirectory(folder);
        assertFalse(directories().contains(folder.resolve("tree/sub")), "the moved-out directory is not watched: "
                + reported);
    }

    @Test
    void directoryRenamedInsideTheFolderIsReportedUnderItsNewName() throws Exception {
        TestFolders.write(folder, "old/sub/f.txt", "f");
        start(dir -> true);
        Files.move(folder.resolve("old"), folder.resolve("new"));
        Await.until(WAIT, () -> subtrees().contains(folder.resolve("new")), "the renamed directory, whole");
        reported.clear();
        TestFolders.write(folder, "new/sub/g.txt", "g");
        awaitDirectory(folder.resolve("new/sub"));
        assertFalse(directories().contains(folder.resolve("old/sub")), reported.toString());
    }

    @Test
    void directoriesTheFilterRefusesAreNotWatched() throws Exception {
        TestFolders.write(folder, ".mirror/tmp/x", "x");
        start(dir -> !dir.startsWith(folder.resolve(".mirror")));
        TestFolders.write(folder, ".mirror/tmp/y", "y");
        TestFolders.write(folder, "marker", "m");
        awaitDirectory(folder);
        assertFalse(directories().contains(folder.resolve(".mirror/tmp")), reported.toString());
    }

    @Test
    void lostEventsReportTheWholeFolderAndThePartialRescanIsRight() throws Exception {
        int queue = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0)
                .strip());
        assumeTrue(queue <= 65_536, "the kernel's event queue holds " + queue + " events: too many to overflow here");
        // Each file written costs two events (created, modified): enough of them to overflow the queue.
        int files = queue / 2 + 1_000;
        Files.createDirectories(folder.resolve("d"));
        CountDownLatch gateOpen = new CountDownLatch(1);
        CountDownLatch gateReached = new CountDownLatch(1);
        try (Folder opened = Folder.open(folder, TestFolders.AHEAD, 2)) {
            opened.scan(new ScanProgress());
            // The event thread stops at the filter of a directory named "gate", so that the events of the writes
            // below pile up in the kernel's queue until it overflows and drops them.
            start(dir -> {
                if (dir.getFileName().toString().equals("gate")) {
                    gateReached.countDown();
                    await(gateOpen);
                }
                return opened.isWatchable(dir);
            });
            Files.createDirectory(folder.resolve("gate"));
            assertTrue(gateReached.await(10, TimeUnit.SECONDS), "the event thread reached the gate");
            for (int i = 0; i < files; i++) {
                Files.writeString(folder.resolve("d/f" + i), "x");
            }
            gateOpen.countDown();
            Await.until(WAIT, () -> subtrees().contains(folder), "the whole folder, after the overflow");
            ScanReport partial = opened.rescan(directories(), subtrees(), new ScanProgress());
            TreeSummary full = opened.scan(new ScanProgress()).summary();
            assertEquals(full, partial.summary());
            assertEquals(files, full.files());
        }
        reported.clear();
        TestFolders.write(folder, "gate/after.txt", "a");
        awaitDirectory(folder.resolve("gate")); // still watching, the new directory too
    }

    private void start(Predicate<Path> watchable) {
        watcher = FolderWatcher.start(folder, watchable, FAST, Runnable::run, reported::add);
    }

    private void awaitDirectory(Path dir) {
        Await.until(WAIT, () -> directories().contains(dir), dir + " reported; so far " + reported);
    }

    private Set<Path> directories() {
        Set<Path> all = new HashSet<>();
        reported.forEach(c -> all.addAll(c.directories()));
        return all;
    }

    private Set<Path> subtrees() {
        Set<Path> all = new HashSet<>();
        reported.forEach(c -> all.addAll(c.subtrees()));
        return all;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
