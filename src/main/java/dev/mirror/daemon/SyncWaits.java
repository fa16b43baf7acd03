package dev.mirror.daemon;

import dev.mirror.core.Hash;
import dev.mirror.core.NamedThreadFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Control clients waiting for the folder to be in sync ({@code mirror status --wait}; docs/daemon.md, "The control
 * socket"). The daemon calls {@link #recheck} whenever something that decides it changes (our root, a peer's root,
 * a link, the end of a pull round), so a waiting client hears at once, where a client polling the socket pays a
 * connection and a JSON answer each time and sees the moment only as often as it asks. A check every
 * {@value #SAFETY_CHECK_MILLIS} ms besides, on a timer thread of its own and only while someone waits, catches what no
 * recheck announced and ends waits whose time is up. (A check every 5 ms instead cost a busy receiver ~0.2 CPU-s in a
 * first mirror of 50,000 files: a wake-up and a status each time.)
 */
final class SyncWaits implements AutoCloseable {
    static final String IN_SYNC = "in-sync";
    static final String TIMED_OUT = "timed-out";
    static final String STOPPING = "error the peer is stopping";
    static final long SAFETY_CHECK_MILLIS = 100;
    /** Longer waits are cut to this, which is as good as for ever and keeps the deadline within a long of nanos. */
    static final Duration LONGEST = Duration.ofDays(10_000);

    private final Supplier<StatusReport> status;
    private final long safetyCheckMillis;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mirror-wait"));
    private final Set<Wait> waiting = ConcurrentHashMap.newKeySet();

    SyncWaits(Supplier<StatusReport> status) {
        this(status, Duration.ofMillis(SAFETY_CHECK_MILLIS));
    }

    /** With another interval between safety checks (for tests). */
    SyncWaits(Supplier<StatusReport> status, Duration safetyCheck) {
        this.status = status;
        this.safetyCheckMillis = safetyCheck.toMillis();
    }

    /**
     * Completes with {@link #IN_SYNC} once the folder is in sync with every paired peer (at least one: a folder
     * paired with nobody is not mirrored anywhere) and, if {@code notRoot} is given, its root differs from it (a
     * client that saw the root before a change waits for that change, not for the in-sync state before it); with
     * {@link #TIMED_OUT} once {@code timeout} passed first.
     */
    CompletableFuture<String> whenInSync(Duration timeout, Optional<Hash> notRoot) {
        Wait wait = new Wait(new CompletableFuture<>(),
                System.nanoTime() + (timeout.compareTo(LONGEST) > 0 ? LONGEST : timeout).toNanos(), notRoot);
        waiting.add(wait);
        ScheduledFuture<?> checks;
        try {
            checks = timer.scheduleWithFixedDelay(() -> wait.check(status.get()), 0, safetyCheckMillis,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            waiting.remove(wait);
            wait.answer.complete(STOPPING);
            return wait.answer;
        }
        wait.answer.whenComplete((done, error) -> {
            checks.cancel(false);
            waiting.remove(wait);
        });
        return wait.answer;
    }

    /** Something that decides whether we are in sync changed: look again now, if anyone waits. Any thread. */
    void recheck() {
        if (waiting.isEmpty()) {
            return;
        }
        try {
            timer.execute(() -> {
                StatusReport now = status.get();
                waiting.forEach(wait -> wait.check(now));
            });
        } catch (RejectedExecutionException e) {
            // Closed: every wait was answered.
        }
    }

    /** Answers every client still waiting that the peer is stopping. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Wait wait : waiting) {
            wait.answer.complete(STOPPING);
        }
    }

    private record Wait(CompletableFuture<String> answer, long deadline, Optional<Hash> notRoot) {
        void check(StatusReport now) {
            if (now.inSyncWithEveryPeer() && notRoot.map(root -> !root.equals(now.summary().treeHash()))
                    .orElse(true)) {
                answer.complete(IN_SYNC);
            } else if (System.nanoTime() - deadline >= 0) {
                answer.complete(TIMED_OUT);
            }
        }
    }
}
