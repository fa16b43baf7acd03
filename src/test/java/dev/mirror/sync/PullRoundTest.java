package dev.mirror.sync;

import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileSystemSync;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Pulling between two real folders and indexes, without a network: the descent, decisions and writes together. */
class PullRoundTest extends TwoFolderTest {
    @Test
    void anEmptyFolderPullsAMixedTreeExactly() throws Exception {
        write(dirA, "top.txt", "top");
        write(dirA, "empty-file", "");
        write(dirA, "nested/deeper/leaf.bin", TestFolders.randomBytes(1, 300_000));
        write(dirA, "ünïcödé/名前.txt", "utf-8");
        Files.createDirectories(dirA.resolve("empty/dir"));
        Path script = write(dirA, "run.sh", "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(dirA.resolve("link"), Path.of("nested/../top.txt"));
        scan(a);
        scan(b);

        PullRound.Outcome outcome = pull(b, a);

        assertEquals(0, outcome.deferred());
        assertEquals(a.summary(), b.summary());
        assertArrayEquals(Files.readAllBytes(dirA.resolve("nested/deeper/leaf.bin")),
                Files.readAllBytes(dirB.resolve("nested/deeper/leaf.bin")));
        assertEquals("utf-8", Files.readString(dirB.resolve("ünïcödé/名前.txt")));
        assertEquals(0, Files.size(dirB.resolve("empty-file")));
        assertTrue(Files.isDirectory(dirB.resolve("empty/dir")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dirB.resolve("run.sh"))));
        assertEquals(Files.getLastModifiedTime(script), Files.getLastModifiedTime(dirB.resolve("run.sh")));
        assertEquals(Path.of("nested/../top.txt"), Files.readSymbolicLink(dirB.resolve("link")));
        // What was written is what was recorded: a rescan changes nothing.
        var before = b.summary();
        scan(b);
        assertEquals(before, b.summary());
    }

    @Test
    void manyFilesCostAFlushAGroupAndOneMore() throws Exception {
        assumeTrue(FileSystemSync.isAvailable(), "flushes are counted where syncfs is called");
        int groups = 4;
        int files = (groups - 1) * Transfer.DURABLE_GROUP_FILES + 10;
        for (int i = 0; i < files; i++) {
            write(dirA, "f" + i, "file " + i);
        }
        scan(a);
        scan(b);
        long before = FileSystemSync.flushesMade();

        assertEquals(0, pull(b, a).deferred());

        // Each group's flush also makes the renames of the groups installed before it began durable, so their
        // records wait for it rather than flushing again: only what is left at the end needs one of its own.
        long flushes = FileSystemSync.flushesMade() - before;
        assertTrue(flushes <= groups + 1, flushes + " flushes for " + groups + " groups");
        assertEquals(a.summary(), b.summary());
        var recorded = b.summary();
        scan(b);
        assertEquals(recorded, b.summary(), "every file installed is recorded");
    }

    @Test
    void aChangeAndADeleteTravelAndTheOldVersionsAreKept() throws Exception {
        write(dirA, "doc.txt", "first");
        write(dirA, "gone/old.txt", "old");
        scan(a);
        pull(b, a);
        write(dirA, "doc.txt", "second, longer");
        Files.delete(dirA.resolve("gone/old.txt"));
        Files.delete(dirA.resolve("gone"));
        scan(a);

        pull(b, a);

        assertEquals("second, longer", Files.readString(dirB.resolve("doc.txt")));
        assertTrue(Files.notExists(dirB.resolve("gone"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(a.summary(), b.summary());
        try (var kept = Files.walk(dirB.resolve(".mirror/versions"))) {
            assertEquals(2, kept.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void concurrentEditsBecomeAConflictThatBothSidesResolveAlike() throws Exception {
        write(dirA, "note.txt", "base");
        scan(a);
        pull(b, a);
        write(dirA, "note.txt", "edited on A");
        write(dirB, "note.txt", "edited on B, later");
        Files.setLastModifiedTime(dirB.resolve("note.txt"), java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(dirA.resolve("note.txt")).toMillis() + 5_000));
        scan(a);
        scan(b);
        assertNotEquals(a.summary(), b.summary());

        pull(b, a);
        pull(a, b);

        assertEquals(a.summary(), b.summary());
        assertEquals("edited on B, later", Files.readString(dirA.resolve("note.txt")));
        try (var names = Files.list(dirA)) {
            Path copy = names.filter(p -> p.getFileName().toString().startsWith("note.sync-conflict-")).findFirst()
                    .orElseThrow();
            assertEquals("edited on A", Files.readString(copy));
            assertEquals("edited on A", Files.readString(dirB.resolve(copy.getFileName().toString())));
        }
    }

    @Test
    void identicalFilesOnBothSidesAreNeverSent() throws Exception {
        byte[] big = TestFolders.randomBytes(7, 2_000_000);
        write(dirA, "same.bin", big);
        write(dirB, "same.bin", big);
        Files.setLastModifiedTime(dirB.resolve("same.bin"), Files.getLastModifiedTime(dirA.resolve("same.bin")));
        scan(a);
        scan(b);
        PullProgress progress = new PullProgress();

        pull(b, a, progress);
        pull(a, b, new PullProgress());

        assertEquals(0, progress.receivedBytes());
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void aRenameOnThePeerIsAMoveHereNotACopyNorAFetch() throws Exception {
        byte[] video = TestFolders.randomBytes(9, 3_000_000);
        write(dirA, "videos/holiday.mp4", video);
        scan(a);
        scan(b);
        pull(b, a);
        Object inode = Files.getAttribute(dirB.resolve("videos/holiday.mp4"), "unix:ino");
        Files.createDirectories(dirA.resolve("archive/2024"));
        Files.move(dirA.resolve("videos/holiday.mp4"), dirA.resolve("archive/2024/holiday.mp4"));
        scan(a);
        PullProgress progress = new PullProgress();

        PullRound.Outcome outcome = pull(b, a, progress);

        assertEquals(0, outcome.deferred(), outcome::toString);
        Path moved = dirB.resolve("archive/2024/holiday.mp4");
        assertEquals(inode, Files.getAttribute(moved, "unix:ino"), "the same file, moved");
        assertArrayEquals(video, Files.readAllBytes(moved));
        assertFalse(Files.exists(dirB.resolve("videos/holiday.mp4")));
        assertEquals(0, progress.receivedBytes());
        assertFalse(Files.exists(dirB.resolve(".mirror/versions/videos")), "nothing kept: the content lives on");
        assertEquals(a.summary(), b.summary());
        assertEquals(0, b.scan(new ScanProgress()).filesRead(), "the moved file is recorded exactly as it is");
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void aRenamedFileWhoseOldCopyChangedHereIsFetchedAndTheEditKept() throws Exception {
        write(dirA, "draft.txt", "first words");
        scan(a);
        scan(b);
        pull(b, a);
        Files.move(dirA.resolve("draft.txt"), dirA.resolve("final.txt"));
        scan(a);
        write(dirB, "draft.txt", "edited here meanwhile"); // not scanned yet: the index still says "first words"

        PullRound.Outcome outcome = pull(b, a);

        assertEquals("first words", Files.readString(dirB.resolve("final.txt")));
        assertEquals("edited here meanwhile", Files.readString(dirB.resolve("draft.txt")), "never moved nor lost");
        assertEquals(1, outcome.deferred(), "the deletion of the edited file waits for the next round");
    }

    @Test
    void filesOfManyDurableGroupsAreAllInstalledWhileLaterOnesAreWritten() throws Exception {
        // Three groups and more: each is flushed and installed on the flush thread while the writer stages the
        // next, and many files share a content, so parts are claimed and released on both threads at once. The files
        // also span waves of every size (the first small one, growing ones, a full one and a last short one).
        int count = 3 * Transfer.DURABLE_GROUP_FILES + 17;
        for (int i = 0; i < count; i++) {
            byte[] content = i % 3 == 0 ? ("shared " + (i % 5)).getBytes(StandardCharsets.UTF_8)
                    : TestFolders.randomBytes(i, 100 + i % 2_000);
            write(dirA, "d" + i % 7 + "/f" + i, content);
        }
        scan(a);
        scan(b);

        PullRound.Outcome outcome = pull(b, a);

        assertEquals(0, outcome.deferred());
        assertEquals(a.summary(), b.summary());
        for (int i = 0; i < count; i += 97) {
            String name = "d" + i % 7 + "/f" + i;
            assertArrayEquals(Files.readAllBytes(dirA.resolve(name)), Files.readAllBytes(dirB.resolve(name)), name);
        }
        try (Stream<Path> left = Files.list(dirB.resolve(".mirror/tmp"))) {
            assertEquals(List.of(), left.toList(), "nothing staged is left behind");
        }
    }

}
