package dev.mirror.sync;

import dev.mirror.core.NamedThreadFactory;
import dev.mirror.scan.ChunkList;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.StagedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Makes groups of built files durable and installs them, on threads of their own, so that the writer builds the next
 * group meanwhile: a flush of 64 MiB waits on the disk for a good part of a second, and installing and recording 512
 * small files (renames, stats, index updates) costs about as much as writing them; in series with the writing,
 * either would leave the link idle and the second core unused. The flushes wait on a thread of their own too, so that
 * one group is installed while the next one's flush waits on the disk. A group is handed to the sink, in order, only
 * once its flush has finished, so nothing is installed before it is durable. The writer waits only when two groups are
 * still waiting for that: a flush takes longer whenever the disk is busier, and one slow flush then need not stop the
 * writer. Big files also start their write-back while they are being written ({@link #writeBack}), so the flush at
 * their end has little left to do. Used by one writer thread; one per {@link Transfer#run}. The sink is called on
 * the flush thread: it must be safe to call while the writer runs (and reports its own failures to it).
 */
final class Flusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

    /** A written and sealed file waiting to be durable, and what to hand to the sink with it. */
    record Built(Transfer.FileJob job, StagedFile file, ChunkList chunks) {
    }

    private final FileInstaller installer;
    private final Transfer.Sink sink;
    /** The flush thread: the first task and every hand-over, in order. */
    private ExecutorService thread;
    /** Waits on the disk: each group's flush, and early write-backs. */
    private ExecutorService diskThread;
    /** The last group's flush and hand-over; its files are the task's to install or delete. */
    private CompletableFuture<Void> handingOver = CompletableFuture.completedFuture(null);
    /** The group before it, queued or under way on the same thread. */
    private CompletableFuture<Void> waiting = CompletableFuture.completedFuture(null);
    /** Set on the flush thread once the sink or the first task threw: the groups still queued are discarded. */
    private volatile boolean sinkFailed;
    private CompletableFuture<Void> writingBack = CompletableFuture.completedFuture(null);

    Flusher(FileInstaller installer, Transfer.Sink sink) {
        this.installer = installer;
        this.sink = sink;
    }

    /** Work for the flush thread that may fail. */
    interface Task {
        void run() throws IOException;
    }

    /**
     * Runs {@code task} on the flush thread before any group is handed over, while the writer goes on: installs the
     * files need done first (a round's directories). Call it before the first {@link #flush}. If it fails, no group
     * is installed, and the failure ends the run at the writer's next {@link #flush} or {@link #finish}.
     */
    void first(Task task) {
        handingOver = CompletableFuture.runAsync(() -> {
            try {
                task.run();
            } catch (IOException | RuntimeException e) {
                sinkFailed = true;
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }, thread());
    }

    /**
     * Starts making {@code group} durable and handing it over, after the groups before it; waits first for the one
     * before the last to be handed over. From here on the group's files are the flush thread's.
     *
     * @throws IOException if handing over that group failed (the sink threw): the run must stop
     */
    void flush(List<Built> group) throws IOException, InterruptedException {
        if (group.isEmpty()) {
            return;
        }
        await(waiting);
        waiting = handingOver;
        List<Built> files = List.copyOf(group);
        // Flushed on the disk thread, so that the flush thread installs and records the group before meanwhile: a
        // flush mostly waits on the disk (20-50 ms for 512 small files), and in series with the installing the writer
        // waited for both (0.8 s of a first mirror of 50,000 files).
        CompletableFuture<IOException> durable = CompletableFuture.supplyAsync(() -> makeDurable(files), diskThread());
        // After the group before, whatever became of it: if it failed, sinkFailed says so to this one.
        handingOver = handingOver.handle((done, failed) -> null)
                .thenCombineAsync(durable, (ignored, problem) -> {
                    handOver(files, problem);
                    return null;
                }, thread());
    }

    /** Waits for the last group to be handed over (and for the {@linkplain #first first task}). */
    void finish() throws IOException, InterruptedException {
        await(waiting);
        await(handingOver);
    }

    /**
     * Asks the disk to start writing what {@code channel} holds so far (fdatasync, in the background; skipped while
     * the last one runs). Only a head start for the group's flush, which still makes the file durable: a failure here
     * is logged and changes nothing.
     */
    void writeBack(FileChannel channel) {
        if (!writingBack.isDone()) {
            return;
        }
        writingBack = CompletableFuture.runAsync(() -> {
            try {
                channel.force(false);
            } catch (IOException e) {
                LOG.debug("Early write-back failed (the flush will tell): {}", e.toString());
            }
        }, diskThread());
    }

    /**
     * Waits for the hand-over under way, even if interrupted: its files are durable, and installing them is right.
     * For a run cut short, what it did not hand over it deleted.
     */
    @Override
    public void close() {
        try {
            // The flush thread runs the groups in order: once the last is done, so is the one before it.
            handingOver.exceptionally(e -> null).join();
        } finally {
            for (ExecutorService executor : new ExecutorService[] {thread, diskThread}) {
                if (executor != null) {
                    executor.shutdown();
                }
            }
        }
    }

    /** Closes (deletes) built files that will not be installed; a part keeps what it holds for the next attempt. */
    static void discard(List<Built> files) {
        for (Built built : files) {
            try {
                built.file().close();
            } catch (IOException e) {
                LOG.warn("Cannot delete the unused {}: {}", built.file().path(), e.getMessage());
            }
        }
    }

    private static void await(CompletableFuture<Void> handOver) throws IOException, InterruptedException {
        try {
            handOver.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException("Installing received files failed", cause);
        }
    }

    /** On the disk thread: flushes the group's files; what went wrong, or null. */
    private IOException makeDurable(List<Built> group) {
        if (sinkFailed) {
            return null; // the run is over: the group will not be installed
        }
        List<StagedFile> files = new ArrayList<>(group.size());
        group.forEach(built -> files.add(built.file()));
        try {
            installer.flush(files);
            return null;
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            return new IOException("Flushing received files failed", e);
        }
    }

    /**
     * On the flush thread, once the group is flushed ({@code problem} null) or its flush failed: hands its files to
     * the sink, or closes them and says so. A file not handed over because the sink failed is deleted, and the failure
     * ends the run.
     */
    private void handOver(List<Built> group, IOException problem) {
        try {
            if (sinkFailed) {
                return; // the run is over: a group queued behind the failed one is not installed either
            }
            try {
                if (problem == null) {
                    List<Transfer.FileJob> jobs = new ArrayList<>(group.size());
                    group.forEach(built -> jobs.add(built.job()));
                    sink.handingOver(jobs);
                }
                for (Built built : group) {
                    if (problem == null) {
                        installer.markDurable(List.of(built.file()));
                        sink.built(built.job(), built.file(), built.chunks());
                    } else {
                        discard(List.of(built));
                        sink.failed(built.job(), problem);
                    }
                }
            } catch (IOException | RuntimeException e) {
                sinkFailed = true;
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        } finally {
            discard(group); // what was not installed (closing an installed or closed file changes nothing)
        }
    }

    private ExecutorService thread() {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("mirror-flush"));
        }
        return thread;
    }

    private ExecutorService diskThread() {
        if (diskThread == null) {
            diskThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("mirror-durable"));
        }
        return diskThread;
    }
}
