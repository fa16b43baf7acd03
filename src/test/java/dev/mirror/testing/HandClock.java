package dev.mirror.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves forward by hand: another clock (fixed, or the system's) plus an offset that only
 * {@link #advance} changes. In UTC; safe to read from the threads of the code under test.
 */
public final class HandClock extends Clock {
    private final Clock base;
    private volatile Duration offset = Duration.ZERO;

    private HandClock(Clock base) {
        this.base = base;
    }

    /** Stands still at {@code start} until advanced. */
    public static HandClock at(Instant start) {
        return new HandClock(Clock.fixed(start, ZoneOffset.UTC));
    }

    /** Runs with {@code base}, plus whatever the test advances it by. */
    public static HandClock following(Clock base) {
        return new HandClock(base);
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("one zone is enough for a test");
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }
}
