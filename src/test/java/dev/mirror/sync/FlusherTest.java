package dev.mirror.sync;

import dev.mirror.scan.ChunkList;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.Expectation;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.StagedFile;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flush thread installs each durable group while the writer builds the next: a failure there stops the run, and
 * nothing staged is left behind, whichever group it was in.
 */
class FlusherTest extends TwoFolderTest {
    private static final int FILES = 2 * Transfer.DURABLE_GROUP_FILES + 5;

    @BeforeEach
    void filesInA() throws Exception {
        for (int i = 0; i < FILES; i++) {
            write(dirA, "f" + i, TestFolders.randomBytes(i, 50 + i % 500));
        }
        a.scan(new ScanProgress());
        assertTrue(Files.notExists(dirB.resolve("f0")));
    }

    @Test
    void everyFileIsHandedOverOnceInOrderOfItsGroup() throws Exception {
        List<TreePath> handed = Collections.synchronizedList(new ArrayList<>());

        run(handed, Integer.MAX_VALUE);

        assertEquals(jobs().stream().map(Transfer.FileJob::path).toList(), handed);
        assertTmpEmpty();
    }

    @Test
    void theSinkIsToldEachGroupBeforeItsFilesAreHandedOver() throws Exception {
        List<TreePath> handed = Collections.synchronizedList(new ArrayList<>());
        List<String> events = Collections.synchronizedList(new ArrayList<>());

        run(handed, Integer.MAX_VALUE, null, events);

        List<String> expected = new ArrayList<>();
        List<TreePath> paths = jobs().stream().map(Transfer.FileJob::path).toList();
        for (int from = 0; from < paths.size(); from += Transfer.DURABLE_GROUP_FILES) {
            List<TreePath> group = paths.subList(from, Math.min(paths.size(), from + Transfer.DURABLE_GROUP_FILES));
            expected.add("group " + group);
            group.forEach(path -> expected.add("built " + path));
        }
        assertEquals(expected, events);
    }

    @Test
    void aSinkThatFailsStopsTheRunAndLeavesNothingStaged() throws Exception {
        List<TreePath> handed = Collections.synchronizedList(new ArrayList<>());
        int failAt = Transfer.DURABLE_GROUP_FILES + 3; // in the second group, while the writer builds the third

        IOException failure = assertThrows(IOException.class, () -> run(handed, failAt));

        assertEquals("no room for file " + failAt, failure.getMessage());
        assertEquals(failAt, handed.size(), "the files before the failure were installed");
        for (int i = failAt; i < FILES; i++) {
            assertTrue(Files.notExists(dirB.resolve("f" + i)), "nothing after the failure, not even a queued group");
        }
        for (TreePath path : handed) {
            assertArrayEquals(Files.readAllBytes(dirA.resolve(path.toString())),
                    Files.readAllBytes(dirB.resolve(path.toString())), path.toString());
        }
        assertTmpEmpty();
    }

    @Test
    void aFirstTaskRunsBeforeAnyFileIsHandedOverWhileTheWriterGoesOn() throws Exception {
        List<TreePath> handed = Collections.synchronizedList(new ArrayList<>());
        List<String> seen = new ArrayList<>();

        run(handed, Integer.MAX_VALUE, () -> {
            // A round's directories are made here: meanwhile the writer stages a whole group in .mirror/tmp/.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (staged() < Transfer.DURABLE_GROUP_FILES && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            seen.add(Thread.currentThread().getName() + " saw " + staged() + " staged, " + handed.size() + " handed");
        });

        assertEquals(1, seen.size());
        assertTrue(seen.get(0).matches("mirror-flush-\\d+ saw (\\d+) staged, 0 handed"), seen.get(0));
        assertTrue(Integer.parseInt(seen.get(0).replaceAll(".* saw (\\d+) staged.*", "$1"))
                >= Transfer.DURABLE_GROUP_FILES, seen.get(0));
        assertEquals(jobs().stream().map(Transfer.FileJob::path).toList(), handed);
        assertTmpEmpty();
    }

    @Test
    void aFirstTaskThatFailsStopsTheRunAndNothingIsInstalled() throws Exception {
        List<TreePath> handed = Collections.synchronizedList(new ArrayList<>());

        IOException failure = assertThrows(IOException.class, () -> run(handed, Integer.MAX_VALUE, () -> {
            throw new IOException("cannot make the directories");
        }));

        assertEquals("cannot make the directories", failure.getMessage());
        assertEquals(List.of(), handed);
        for (int i = 0; i < FILES; i++) {
            assertTrue(Files.notExists(dirB.resolve("f" + i)));
        }
        assertTmpEmpty();
    }

    private void run(List<TreePath> handed, int failAt) throws Exception {
        run(handed, failAt, null);
    }

    private void run(List<TreePath> handed, int failAt, Flusher.Task first) throws Exception {
        run(handed, failAt, first, Collections.synchronizedList(new ArrayList<>()));
    }

    /**
     * Fails once, at the file {@code failAt}: whatever comes after it must not reach the sink at all. {@code first}:
     * for {@link Transfer#run(List, Transfer.Sink, Flusher.Task)}; {@code events}: what the sink was told, in order.
     */
    private void run(List<TreePath> handed, int failAt, Flusher.Task first, List<String> events) throws Exception {
        AtomicBoolean failed = new AtomicBoolean();
        ServedTree remote = new ServedTree(new TreeServer(a.index(), a.path()));
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            Transfer transfer = new Transfer(b.index(), b.path(), installer, remote,
                    new ChunkFetcher(remote, bytes -> { }));
            transfer.run(jobs(), new Transfer.Sink() {
                @Override
                public void handingOver(List<Transfer.FileJob> jobs) {
                    events.add("group " + jobs.stream().map(Transfer.FileJob::path).toList());
                }

                @Override
                public void built(Transfer.FileJob job, StagedFile file, ChunkList chunks) throws IOException {
                    events.add("built " + job.path());
                    try (file) {
                        if (handed.size() == failAt && !failed.getAndSet(true)) {
                            throw new IOException("no room for file " + failAt);
                        }
                        installer.install(file, job.path().toString(), Expectation.absent());
                        handed.add(job.path());
                    }
                }

                @Override
                public void failed(Transfer.FileJob job, IOException problem) {
                    throw new AssertionError("nothing should fail to build here: " + job.path(), problem);
                }
            }, first);
        }
    }

    private List<Transfer.FileJob> jobs() throws IOException {
        List<Transfer.FileJob> jobs = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            TreePath path = TreePath.of("f" + i);
            jobs.add(new Transfer.FileJob(path, a.index().entry(path).orElseThrow().entry(), List.of(path), null));
        }
        return jobs;
    }

    private long staged() throws IOException {
        try (Stream<Path> files = Files.list(dirB.resolve(".mirror/tmp"))) {
            return files.count();
        }
    }

    private void assertTmpEmpty() throws IOException {
        try (Stream<Path> left = Files.list(dirB.resolve(".mirror/tmp"))) {
            assertEquals(List.of(), left.toList(), "nothing staged is left behind");
        }
    }
}
