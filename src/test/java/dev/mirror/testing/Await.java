package dev.mirror.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition by polling it, with a deadline, instead of sleeping for a guessed time: the test goes on as
 * soon as the condition holds and fails with a description when it never does. Stateless and thread-safe.
 */
public final class Await {
    /** Long enough not to spin a core, short enough that a test never waits noticeably longer than it must. */
    private static final long POLL_NANOS = 1_000_000L;

    private Await() {
    }

    /**
     * Returns once {@code condition} is true.
     *
     * @param description what is awaited, for the failure message ("the index to hold a write-ahead log")
     * @throws AssertionError if it is still false after {@code timeout}
     */
    public static void until(Duration timeout, BooleanSupplier condition, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + description);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("Interrupted while waiting for " + description);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
