package dev.mirror.scan;

import java.util.concurrent.atomic.AtomicLong;

/** Counters a running scan bumps and a progress display reads. Thread-safe. */
public final class ScanProgress {
    private final AtomicLong entriesSeen = new AtomicLong();
    private final AtomicLong filesRead = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();

    public void sawEntries(long count) {
        entriesSeen.addAndGet(count);
    }

    public void readFile(long bytes) {
        filesRead.incrementAndGet();
        bytesRead.addAndGet(bytes);
    }

    public long entriesSeen() {
        return entriesSeen.get();
    }

    /** Files whose content was read (new or changed). */
    public long filesRead() {
        return filesRead.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }
}
