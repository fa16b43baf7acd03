package dev.mirror.sync;

import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryKind;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far one link's pulling has come, for {@code mirror status}: files and bytes still to fetch in the current
 * round, and content bytes received since start. Written by the sync thread, read by anyone.
 */
public final class PullProgress {
    private final AtomicLong needFiles = new AtomicLong();
    private final AtomicLong needBytes = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();

    public long needFiles() {
        return needFiles.get();
    }

    public long needBytes() {
        return needBytes.get();
    }

    /** Chunk bytes received from the peer and verified, since start. */
    public long receivedBytes() {
        return receivedBytes.get();
    }

    void planned(List<Decided> decided) {
        long files = 0;
        long bytes = 0;
        for (Decided d : decided) {
            Entry target = d.target();
            if (target != null && target.isLive() && target.kind() == EntryKind.FILE && !d.keepsLocalContent()) {
                files++;
                bytes += target.size();
            }
            ConflictCopy copy = d.conflictCopy();
            if (copy != null && d.winner() == Side.LOCAL && copy.entry().kind() == EntryKind.FILE) {
                files++;
                bytes += copy.entry().size();
            }
        }
        needFiles.set(files);
        needBytes.set(bytes);
    }

    void fileDone(long size) {
        needFiles.updateAndGet(n -> Math.max(0, n - 1));
        needBytes.updateAndGet(n -> Math.max(0, n - size));
    }

    void received(long bytes) {
        receivedBytes.addAndGet(bytes);
    }

    void finished() {
        needFiles.set(0);
        needBytes.set(0);
    }
}
