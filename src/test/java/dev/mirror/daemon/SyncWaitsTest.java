package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.testing.Await;
import dev.mirror.tree.TreeSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waiting for the folder to be in sync: the answer comes once it is, or once the wait is over, never before. */
@Timeout(30)
class SyncWaitsTest {
    private static final Hash BEFORE = Hash.sha256(new byte[]{1});
    private static final Hash AFTER = Hash.sha256(new byte[]{2});
    private static final DeviceId PEER = DeviceId.of(Hash.sha256(new byte[]{3}));
    private static final Duration LONG = Duration.ofSeconds(20);

    private volatile StatusReport now = report(BEFORE, List.of());
    /** How many times a wait looked at the status. */
    private final AtomicInteger looks = new AtomicInteger();
    private final SyncWaits waits = new SyncWaits(this::look);

    @AfterEach
    void close() {
        waits.close();
    }

    @Test
    void answersOnceEveryPairedPeerIsInSync() throws Exception {
        assertAnsweredOnlyAfter(report(BEFORE, List.of(peer(false))), Optional.empty(),
                report(BEFORE, List.of(peer(true))), "answered while a peer was not in sync");
    }

    @Test
    void aRecheckAnswersWithoutWaitingForTheSafetyCheck() throws Exception {
        now = report(BEFORE, List.of(peer(false)));
        SyncWaits hourly = new SyncWaits(this::look, Duration.ofHours(1));
        try {
            CompletableFuture<String> answer = hourly.whenInSync(LONG, Optional.empty());
            awaitLooks(1); // the first check, which comes at once; the next would be in an hour
            now = report(BEFORE, List.of(peer(true)));

            hourly.recheck();

            assertEquals(SyncWaits.IN_SYNC, answer.get(10, TimeUnit.SECONDS));
        } finally {
            hourly.close();
        }
    }

    @Test
    void aFolderPairedWithNobodyIsNotInSync() throws Exception {
        CompletableFuture<String> answer = waits.whenInSync(Duration.ofMillis(50), Optional.empty());

        assertEquals(SyncWaits.TIMED_OUT, answer.get(10, TimeUnit.SECONDS));
    }

    @Test
    void waitsForARootOtherThanTheOneGiven() throws Exception {
        assertAnsweredOnlyAfter(report(BEFORE, List.of(peer(true))), Optional.of(BEFORE),
                report(AFTER, List.of(peer(true))), "answered for the state before the change");
    }

    @Test
    void aWaitLongerThanEverIsCutNotOverflowed() throws Exception {
        now = report(BEFORE, List.of(peer(true)));

        assertEquals(SyncWaits.IN_SYNC, waits.whenInSync(Duration.ofMillis(Long.MAX_VALUE), Optional.empty())
                .get(10, TimeUnit.SECONDS));
    }

    @Test
    void closingAnswersEveryoneStillWaiting() throws Exception {
        CompletableFuture<String> answer = waits.whenInSync(LONG, Optional.empty());

        waits.close();

        assertEquals(SyncWaits.STOPPING, answer.get(10, TimeUnit.SECONDS));
        assertEquals(SyncWaits.STOPPING, waits.whenInSync(LONG, Optional.empty()).get(10, TimeUnit.SECONDS));
    }

    @Test
    void theControlCommandRefusesMalformedArguments() throws Exception {
        ControlCommands commands = new ControlCommands(null, null, request -> null, waits);
        for (String bad : List.of("x", "-1", "10 nothex", "10 " + BEFORE.hex() + " more")) {
            String answer = commands.answer(ControlCommands.WAIT + " " + bad).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertTrue(answer.startsWith("error " + ControlCommands.WAIT + " takes MILLIS [ROOT]"), answer);
        }
        now = report(AFTER, List.of(peer(true)));
        assertEquals(SyncWaits.IN_SYNC, commands.answer(ControlCommands.WAIT + " 10000 " + BEFORE.hex())
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    /** A wait that sees {@code before} a few times unanswered, then {@code after}, and answers in sync. */
    private void assertAnsweredOnlyAfter(StatusReport before, Optional<Hash> notRoot, StatusReport after, String early)
            throws Exception {
        now = before;
        CompletableFuture<String> answer = waits.whenInSync(LONG, notRoot);
        awaitLooks(3);
        assertFalse(answer.isDone(), early);

        now = after;

        assertEquals(SyncWaits.IN_SYNC, answer.get(10, TimeUnit.SECONDS));
    }

    private StatusReport look() {
        looks.incrementAndGet();
        return now;
    }

    private void awaitLooks(int count) {
        Await.until(Duration.ofSeconds(10), () -> looks.get() >= count, count + " looks at the status");
    }

    private static StatusReport report(Hash root, List<StatusReport.PeerStatus> peers) {
        return new StatusReport(PEER, new TreeSummary(root, 0, 0, 0), true, true, null, peers);
    }

    private static StatusReport.PeerStatus peer(boolean inSync) {
        return new StatusReport.PeerStatus(PEER, "127.0.0.1:1", true, AFTER, inSync, 0, 0, 0, 0, null, null);
    }
}
