package dev.mirror.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {
    private static List<Long> seconds(Backoff backoff, int attempts) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            waits.add(backoff.next().toSeconds());
        }
        return waits;
    }

    @Test
    void doublesFromTheFirstWaitUpToTheCapAndStaysThere() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), seconds(backoff, 9));
    }

    @Test
    void aLinkThatOpenedStartsOverFromTheFirstWait() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        seconds(backoff, 5);

        backoff.reset();

        assertEquals(List.of(1L, 2L), seconds(backoff, 2));
    }

    @Test
    void neverOverflowsHoweverLongThePeerIsAway() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

        seconds(backoff, 100_000);

        assertEquals(Duration.ofSeconds(60), backoff.next());
    }

    @Test
    void aCapBelowTheFirstWaitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
