package dev.mirror.sync;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A receiver whose disk fills up mid-round: the file that does not fit is deferred, never installed in part, nothing
 * already there is lost, and once there is room the next round brings it. The receiver's folder (and its
 * {@code .mirror/}) lives on a tmpfs of a few MiB mounted for the test, which needs root; elsewhere it is skipped.
 */
class DiskFullTest {
    private static final byte[] BIG = TestFolders.randomBytes(41, 12 << 20);

    @TempDir
    Path dirA;
    @TempDir
    Path mountPoint;
    private Folder a;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mounted = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint.toString());
        assumeTrue(mounted, "needs root to mount a small tmpfs");
        a = Folder.open(dirA, TestFolders.AHEAD, 2);
    }

    @AfterEach
    void unmount() throws Exception {
        if (a != null) {
            a.close();
        }
        if (mounted) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    @Test
    void aFileThatDoesNotFitIsDeferredWholeAndArrivesOnceThereIsRoom() throws Exception {
        TestFolders.write(dirA, "notes.txt", "small enough");
        TestFolders.write(dirA, "video.bin", BIG);
        Path kept = TestFolders.write(mountPoint, "mine.txt", "already here");
        a.scan(new ScanProgress());
        try (Folder b = Folder.open(mountPoint, TestFolders.AHEAD, 2)) {
            b.scan(new ScanProgress());

            PullRound.Outcome full = TwoFolderTest.pull(b, a);

            assertEquals(1, full.deferred(), full::toString);
            assertEquals("small enough", Files.readString(mountPoint.resolve("notes.txt")));
            assertFalse(Files.exists(mountPoint.resolve("video.bin")), "a file that did not fit was installed");
            assertEquals("already here", Files.readString(kept));
            assertTrue(run("mount", "-o", "remount,size=64m", mountPoint.toString()), "remount with room");

            PullRound.Outcome roomy = TwoFolderTest.pull(b, a);

            assertEquals(0, roomy.deferred(), roomy::toString);
            assertArrayEquals(BIG, Files.readAllBytes(mountPoint.resolve("video.bin")));
            assertEquals("already here", Files.readString(kept));
            try (Stream<Path> leftovers = Files.list(mountPoint.resolve(".mirror/tmp"))) {
                assertEquals(0, leftovers.count(), "nothing left in .mirror/tmp");
            }
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
