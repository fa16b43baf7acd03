package dev.mirror.watch;

import dev.mirror.core.NamedThreadFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The real {@link Scheduler}: {@link System#nanoTime()} and one timer thread, {@code mirror-watch-timer}. */
public final class SystemScheduler implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mirror-watch-timer"));

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        try {
            timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closed: the watcher is stopping and nothing it would have done matters any more.
        }
    }

    /** Cancels every pending task; safe to call twice. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
