package dev.mirror.watch;

/**
 * Time for the watcher, injected so that its debounce and periodic scans run on a fake clock in tests, without
 * sleeping (as Agrona's {@code NanoClock}). Implementations must be thread-safe.
 */
public interface Scheduler {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now, on the scheduler's thread; never after it is closed. */
    void schedule(Runnable task, long delayNanos);
}
