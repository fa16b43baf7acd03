package dev.mirror.cli;

import dev.mirror.core.NamedThreadFactory;
import dev.mirror.scan.ScanProgress;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A one-line scan progress display on the terminal, redrawn four times a second; nothing at all when output is not
 * a terminal, so scripts see only the result. It draws on the console itself, not on standard error, so a
 * redirected standard error never collects progress lines. Closing stops it; safe to close twice.
 */
final class ProgressLine implements AutoCloseable {
    private static final long PERIOD_MILLIS = 250;

    private final PrintWriter err;
    private final ScanProgress progress;
    private final ScheduledExecutorService timer;
    private final long startNanos = System.nanoTime();
    private boolean drawn;

    private ProgressLine(PrintWriter err, ScanProgress progress, ScheduledExecutorService timer) {
        this.err = err;
        this.progress = progress;
        this.timer = timer;
    }

    static ProgressLine startIfTerminal(ScanProgress progress) {
        java.io.Console console = System.console();
        if (console == null) {
            return new ProgressLine(null, progress, null);
        }
        PrintWriter err = console.writer();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                new NamedThreadFactory("mirror-progress"));
        ProgressLine line = new ProgressLine(err, progress, timer);
        timer.scheduleAtFixedRate(line::draw, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return line;
    }

    /** Stops drawing and clears the line. */
    void finish() {
        close();
    }

    @Override
    public synchronized void close() {
        if (timer == null || timer.isShutdown()) {
            return;
        }
        timer.shutdownNow();
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    private synchronized void draw() {
        if (timer.isShutdown()) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long bytes = progress.bytesRead();
        err.print("\r\033[Kscanning: " + Units.count(progress.entriesSeen()) + " entries, "
                + Units.count(progress.filesRead()) + " files read (" + Units.bytes(bytes) + ", "
                + Units.bytes((long) (bytes / Math.max(seconds, 0.001))) + "/s), "
                + String.format(java.util.Locale.ROOT, "%.1f s", seconds));
        err.flush();
        drawn = true;
    }
}
