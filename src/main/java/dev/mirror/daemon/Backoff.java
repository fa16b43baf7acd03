package dev.mirror.daemon;

import java.time.Duration;

/**
 * How long to wait before dialing a peer again: doubling from {@code first} after each failed attempt, capped at
 * {@code max}, back to {@code first} once a link opens. Capped so that a peer back from a reboot is found within a
 * minute; doubling so that a peer away for days costs one attempt a minute, not a busy loop. Pure arithmetic, no
 * clock: the daemon turns a delay into a time with its injected clock. One per peer, guarded by the caller.
 */
final class Backoff {
    private final Duration first;
    private final Duration max;
    private Duration last;

    Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff from " + first + " up to " + max);
        }
        this.first = first;
        this.max = max;
    }

    /** The wait before the next attempt, after one more failure. */
    Duration next() {
        last = last == null ? first : last.compareTo(max.dividedBy(2)) > 0 ? max : last.multipliedBy(2);
        return last;
    }

    /** A link opened: the next failure waits {@code first} again. */
    void reset() {
        last = null;
    }
}
