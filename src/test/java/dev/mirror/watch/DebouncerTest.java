package dev.mirror.watch;

import dev.mirror.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The debounce on a fake clock: no test here sleeps. */
class DebouncerTest {
    private static final Duration QUIET = Duration.ofMillis(50);
    private static final Duration MAX_DELAY = Duration.ofMillis(250);
    private static final Path A = Path.of("/f/a");
    private static final Path B = Path.of("/f/b");

    private final ManualScheduler clock = new ManualScheduler();
    private final List<ChangeSet> delivered = new ArrayList<>();
    private final Debouncer debouncer = new Debouncer(clock, QUIET, MAX_DELAY, Runnable::run, delivered::add);

    @Test
    void batchIsDeliveredOnceTheFolderIsQuietForTheQuietTime() {
        debouncer.add(dirs(A));
        clock.advance(Duration.ofMillis(30));
        debouncer.add(dirs(B));
        clock.advance(Duration.ofMillis(49));
        assertEquals(List.of(), delivered, "30 + 49 ms: only 49 ms quiet since the last event");
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(dirs(A, B)), delivered);
    }

    @Test
    void steadyStreamOfEventsIsDeliveredAfterTheMaximumDelay() {
        for (int ms = 0; ms < 1000; ms += 10) {
            if (ms == 240) {
                assertEquals(List.of(), delivered, "not due before 250 ms");
            }
            if (ms == 250) {
                assertEquals(1, delivered.size(), "due at 250 ms though events keep coming");
            }
            debouncer.add(dirs(ms % 20 == 0 ? A : B));
            clock.advance(Duration.ofMillis(10));
        }
        assertTrue(delivered.size() >= 4, "about one batch per 250 ms: " + delivered.size());
    }

    @Test
    void batchesWaitingForTheSyncThreadAreMergedIntoOne() {
        Queue<Runnable> syncThread = new ArrayDeque<>();
        Debouncer queued = new Debouncer(clock, QUIET, MAX_DELAY, syncThread::add, delivered::add);
        queued.add(dirs(A));
        clock.advance(Duration.ofMillis(60));
        queued.add(new ChangeSet(Set.of(), Set.of(B)));
        clock.advance(Duration.ofMillis(60));
        assertEquals(1, syncThread.size(), "one delivery queued, however many batches");
        syncThread.poll().run();
        assertEquals(List.of(new ChangeSet(Set.of(A), Set.of(B))), delivered);
    }

    @Test
    void nothingChangedDeliversNothingAndSetsNoTimer() {
        debouncer.add(ChangeSet.NONE);
        assertEquals(0, clock.pending());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), delivered);
    }

    @Test
    void aQuietFolderCostsNoTimers() {
        debouncer.add(dirs(A));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, clock.pending(), "the timer does not tick on its own");
        assertEquals(1, delivered.size());
    }

    private static ChangeSet dirs(Path... paths) {
        return new ChangeSet(Set.of(paths), Set.of());
    }
}
