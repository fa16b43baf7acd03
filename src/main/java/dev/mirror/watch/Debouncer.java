package dev.mirror.watch;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Gathers changes until the folder has been quiet for {@code quiet}, but never holds a change longer than
 * {@code maxDelay} under a steady stream of events, then hands the batch to {@code consumer} on {@code delivery}.
 * While a batch waits for {@code delivery} (the sync thread is busy with a scan), later batches join it instead of
 * queueing behind it: one re-index at a time is ever waiting, and it covers everything seen so far.
 *
 * <p>Thread-safe: events come from the watch thread, timers fire on the scheduler's thread.
 */
public final class Debouncer {
    private final Scheduler scheduler;
    private final long quietNanos;
    private final long maxDelayNanos;
    private final Executor delivery;
    private final Consumer<ChangeSet> consumer;
    private ChangeSet gathering = ChangeSet.NONE;
    private long firstNanos;
    private long lastNanos;
    private boolean timerSet;
    private ChangeSet ready = ChangeSet.NONE;
    private boolean deliveryQueued;

    public Debouncer(Scheduler scheduler, Duration quiet, Duration maxDelay, Executor delivery,
                     Consumer<ChangeSet> consumer) {
        if (quiet.isNegative() || maxDelay.compareTo(quiet) < 0) {
            throw new IllegalArgumentException("need 0 <= quiet <= maxDelay, not " + quiet + " and " + maxDelay);
        }
        this.scheduler = scheduler;
        this.quietNanos = quiet.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.delivery = delivery;
        this.consumer = consumer;
    }

    /** Adds changes just seen. */
    public synchronized void add(ChangeSet changes) {
        if (changes.isEmpty()) {
            return;
        }
        long now = scheduler.nanoTime();
        if (gathering.isEmpty()) {
            firstNanos = now;
        }
        gathering = gathering.with(changes);
        lastNanos = now;
        if (!timerSet) {
            timerSet = true;
            scheduler.schedule(this::timerFired, quietNanos);
        }
    }

    /**
     * The timer is not moved on every event (that would cost a task per event): when it fires early, it sets itself
     * again for the time still to wait.
     */
    private void timerFired() {
        synchronized (this) {
            long now = scheduler.nanoTime();
            long due = Math.min(lastNanos + quietNanos, firstNanos + maxDelayNanos);
            if (now - due < 0) {
                scheduler.schedule(this::timerFired, due - now);
                return;
            }
            timerSet = false;
            ready = ready.with(gathering);
            gathering = ChangeSet.NONE;
            if (deliveryQueued) {
                return;
            }
            deliveryQueued = true;
        }
        try {
            delivery.execute(this::deliver);
        } catch (RejectedExecutionException e) {
            // The sync thread is shutting down: nobody will index anything any more.
        }
    }

    private void deliver() {
        ChangeSet batch;
        synchronized (this) {
            batch = ready;
            ready = ChangeSet.NONE;
            deliveryQueued = false;
        }
        consumer.accept(batch);
    }
}
