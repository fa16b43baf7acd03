package dev.mirror.watch;

import java.time.Duration;

/**
 * How the watcher batches events and what it does without them.
 *
 * @param quiet how long the folder must stay quiet before a batch of changes is re-indexed
 * @param maxDelay the longest a change waits under a steady stream of events
 * @param fallbackInterval how often the whole folder is scanned once watching is impossible (watch limit reached)
 */
public record WatchSettings(Duration quiet, Duration maxDelay, Duration fallbackInterval) {
    public static final Duration DEFAULT_QUIET = Duration.ofMillis(50);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(250);

    public WatchSettings {
        if (fallbackInterval.isNegative() || fallbackInterval.isZero()) {
            throw new IllegalArgumentException("the fallback scan interval must be positive, not " + fallbackInterval);
        }
    }

    public static WatchSettings withFallback(Duration fallbackInterval) {
        return new WatchSettings(DEFAULT_QUIET, DEFAULT_MAX_DELAY, fallbackInterval);
    }
}
