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
 * Makes groups of built files durable on a thread of its own, so that the writer builds the next group while the
 * disk takes the last one: a flush of 64 MiB waits on the disk for a good part of a second, which in series with the
 * writing would leave the link idle for as long. A group is handed to the sink, in order, only once its flush has
 * finished, so nothing is installed before it is durable. Big files also start their write-back while they are being
 * written ({@link #writeBack}), so the flush at their end has little left to do. Used by one writer thread; one per
 * {@link Transfer#run}.
 */
final class Flusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

    /** A sealed file waiting to be durable, and what to hand to the sink with it. */
    record Built(Transfer.FileJob job, StagedFile file, ChunkList chunks) {
    }

    private final FileInstaller installer;
    private final Transfer.Sink sink;
    private ExecutorService thread;
    private List<Built> flushing = List.of();
    private CompletableFuture<Void> flushed = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> writingBack = CompletableFuture.completedFuture(null);

    Flusher(FileInstaller installer, Transfer.Sink sink) {
        this.installer = installer;
        this.sink = sink;
    }

    /**
     * Starts making {@code group} durable, after handing over the group before it (waiting for its flush if it is
     * still running).
     */
    void flush(List<Built> group) throws IOException, InterruptedException {
        handOverFlushed();
        if (group.isEmpty()) {
            return;
        }
        List<StagedFile> files = new ArrayList<>(group.size());
        group.forEach(built -> files.add(built.file()));
        flushing = List.copyOf(group);
        flushed = CompletableFuture.runAsync(() -> {
            try {
                installer.flush(files); // only the flush here: the files' state is the writer's to change
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, thread());
    }

    /** Waits for the last flush and hands its group over. */
    void finish() throws IOException, InterruptedException {
        handOverFlushed();
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
        }, thread());
    }

    /** Closes (deletes) the files of a flush not handed over, after it ends; for a run cut short. */
    @Override
    public void close() {
        try {
            flushed.exceptionally(e -> null).join();
        } finally {
            discard(flushing);
            flushing = List.of();
            if (thread != null) {
                thread.shutdown();
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

    /**
     * Waits for the last flush, then hands its files to the sink (or, if it failed, closes them and says so). A file
     * not handed over because the sink failed is deleted; an interrupted wait leaves them all for {@link #close}.
     */
    private void handOverFlushed() throws IOException, InterruptedException {
        IOException problem = null;
        try {
            flushed.get();
        } catch (ExecutionException e) {
            problem = e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause()
                    : new IOException("Making received files durable failed", e.getCause());
        }
        List<Built> ready = flushing;
        flushing = List.of();
        int handed = 0;
        try {
            for (Built built : ready) {
                handed++;
                if (problem == null) {
                    installer.markDurable(List.of(built.file()));
                    sink.built(built.job(), built.file(), built.chunks());
                } else {
                    discard(List.of(built));
                    sink.failed(built.job(), problem);
                }
            }
        } finally {
            discard(ready.subList(handed, ready.size()));
        }
    }

    private ExecutorService thread() {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("mirror-flush"));
        }
        return thread;
    }
}
