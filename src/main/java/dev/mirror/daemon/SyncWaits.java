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
 * socket"). While anyone waits, the status is looked at every {@value #CHECK_MILLIS} ms on a timer thread of its own
 * (a few microseconds each: no JSON, no disk), so a waiting client learns of it within that, where a client polling
 * the socket pays a connection and a JSON answer every time and sees it only as often as it asks.
 */
final class SyncWaits implements AutoCloseable {
    static final String IN_SYNC = "in-sync";
    static final String TIMED_OUT = "timed-out";
    static final String STOPPING = "error the peer is stopping";
    static final long CHECK_MILLIS = 5;
    /** Longer waits are cut to this, which is as good as for ever and keeps the deadline within a long of nanos. */
    static final Duration LONGEST = Duration.ofDays(10_000);

    private final Supplier<StatusReport> status;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mirror-wait"));
    private final Set<CompletableFuture<String>> waiting = ConcurrentHashMap.newKeySet();

    SyncWaits(Supplier<StatusReport> status) {
        this.status = status;
    }

    /**
     * Completes with {@link #IN_SYNC} once the folder is in sync with every paired peer (at least one: a folder
     * paired with nobody is not mirrored anywhere) and, if {@code notRoot} is given, its root differs from it (a
     * client that saw the root before a change waits for that change, not for the in-sync state before it); with
     * {@link #TIMED_OUT} once {@code timeout} passed first.
     */
    CompletableFuture<String> whenInSync(Duration timeout, Optional<Hash> notRoot) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        long deadline = System.nanoTime() + (timeout.compareTo(LONGEST) > 0 ? LONGEST : timeout).toNanos();
        waiting.add(answer);
        ScheduledFuture<?> checks;
        try {
            checks = timer.scheduleWithFixedDelay(() -> {
                StatusReport now = status.get();
                if (now.inSyncWithEveryPeer() && notRoot.map(root -> !root.equals(now.summary().treeHash()))
                        .orElse(true)) {
                    answer.complete(IN_SYNC);
                } else if (System.nanoTime() - deadline >= 0) {
                    answer.complete(TIMED_OUT);
                }
            }, 0, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            answer.complete(STOPPING);
            return answer;
        }
        answer.whenComplete((done, error) -> {
            checks.cancel(false);
            waiting.remove(answer);
        });
        return answer;
    }

    /** Answers every client still waiting that the peer is stopping. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (CompletableFuture<String> answer : waiting) {
            answer.complete(STOPPING);
        }
    }
}
