package dev.mirror.sync;

import dev.mirror.core.DeviceId;
import dev.mirror.sync.Decision.Conflict;
import dev.mirror.sync.Decision.InSync;
import dev.mirror.sync.Decision.MergeVersions;
import dev.mirror.sync.Decision.PeerPulls;
import dev.mirror.sync.Decision.Pull;
import dev.mirror.tree.Entry;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.VersionVector;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, for one path, what this device does so that it and its peer end with the same entry (docs/decisions.md
 * has the rules as a table). Pure: no disk, socket, clock or index. The peer runs the same function with the sides
 * swapped and reaches the mirrored decision: every tie is broken by facts both sides hold (the entries and their
 * version vectors), never by which side runs it. Immutable and thread-safe; one per link.
 *
 * <p>Invariants: a decision never loses data that is not strictly older (a concurrent edit always survives, under
 * the name or as a conflict copy), and whatever it resolves orders after both sides' versions, so a third peer
 * holding either one takes the result.
 */
public final class Reconciler {
    /**
     * Orders the two sides of a conflict; the greater keeps the name. A live entry beats a deletion (never lose
     * data), a directory beats a file or symlink (a directory never loses its contents), then the newer mtime, then
     * the entry last changed by the larger device (unsigned), then any content difference, so no two differing
     * entries tie.
     */
    private static final Comparator<Entry> KEEPS_THE_NAME = Comparator.comparing(Entry::isLive)
            .thenComparing(Entry::isDirectory)
            .thenComparingLong(Entry::mtimeNanos)
            .thenComparing((a, b) -> Long.compareUnsigned(lastModifier(a.version()), lastModifier(b.version())))
            .thenComparingInt(entry -> entry.kind().code())
            .thenComparingLong(Entry::size)
            .thenComparingInt(Entry::mode)
            .thenComparing(Entry::contentHash, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Reconciler::targetBytes, Comparator.nullsFirst(Arrays::compareUnsigned));

    private final long localDevice;
    private final long remoteDevice;

    /** A reconciler for the link between {@code local} (this device) and {@code remote}. */
    public Reconciler(DeviceId local, DeviceId remote) {
        if (local.shortId() == remote.shortId()) {
            throw new IllegalArgumentException("a link joins two devices, not " + local + " with itself");
        }
        this.localDevice = local.shortId();
        this.remoteDevice = remote.shortId();
    }

    /**
     * Decides one path.
     *
     * @param path any path but the root
     * @param local our entry, or null if we never saw the path
     * @param remote the peer's entry, or null if it never saw the path
     * @param liveChildrenRemain true if some child of {@code path} (over both sides' children) is live in the
     *     {@link Decision#outcome} of its own decision: then a directory on either side keeps the path, however new
     *     the deletion or file that would replace it. False for files and symlinks. Both peers compute the same value,
     *     since children's outcomes agree, so decide children before their parent.
     * @throws IllegalArgumentException if an entry has an empty version vector (the link must refuse it), or if
     *     children remain where neither side has a directory (the descent must not report such children)
     */
    public Decision decide(TreePath path, Entry local, Entry remote, boolean liveChildrenRemain) {
        Objects.requireNonNull(path, "path");
        if (path.isRoot()) {
            throw new IllegalArgumentException("the root has no entry to decide");
        }
        requireVersioned(path, local, "our");
        requireVersioned(path, remote, "the peer's");
        Decision decision = byVersions(path, local, remote);
        Entry outcome = decision.outcome(local);
        if (liveChildrenRemain && !(outcome != null && outcome.isLive() && outcome.isDirectory())) {
            return keepDirectory(path, local, remote);
        }
        return decision;
    }

    /** This entry with another version vector. */
    static Entry withVersion(Entry entry, VersionVector version) {
        return new Entry(entry.kind(), entry.size(), entry.mtimeNanos(), entry.mode(), entry.contentHash(),
                entry.deleted(), version, entry.symlinkTarget());
    }

    /**
     * The device that last changed an entry: the one with the largest counter, since a change sets the changing
     * device's counter above every other (a Lamport clock). Only a merge can leave two devices sharing the largest
     * counter; then the larger device (unsigned) is taken, as both peers see the same vector.
     */
    static long lastModifier(VersionVector version) {
        long device = version.device(0);
        long counter = version.counter(0);
        for (int i = 1; i < version.size(); i++) {
            boolean larger = version.counter(i) > counter
                    || (version.counter(i) == counter && Long.compareUnsigned(version.device(i), device) > 0);
            if (larger) {
                device = version.device(i);
                counter = version.counter(i);
            }
        }
        return device;
    }

    private static void requireVersioned(TreePath path, Entry entry, String whose) {
        // Every indexed entry was changed by someone; an empty vector would order before everything and lose.
        if (entry != null && entry.version().size() == 0) {
            throw new IllegalArgumentException(whose + " entry for " + path + " has an empty version vector");
        }
    }

    private static Decision byVersions(TreePath path, Entry local, Entry remote) {
        if (local == null) {
            // A tombstone we never saw is pulled too: recorded, so the deletion keeps propagating and trees agree.
            return remote == null ? new InSync() : new Pull(remote);
        }
        if (remote == null) {
            return new PeerPulls();
        }
        VersionVector merged = local.version().merged(remote.version());
        return switch (local.version().compare(remote.version())) {
            case OLDER -> new Pull(remote);
            case NEWER -> new PeerPulls();
            case CONCURRENT -> local.sameContentAs(remote) ? new MergeVersions(merged) : conflict(path, local, remote,
                    merged);
            // Equal vectors over different content should not happen: a device lost its index and counted from 1
            // again, or a bug. Taking either side silently could lose an edit, and staying "in sync" would leave
            // the roots differing forever; resolving it as a conflict keeps both and converges.
            case EQUAL -> local.sameContentAs(remote) ? new InSync() : conflict(path, local, remote, merged);
        };
    }

    private static Conflict conflict(TreePath path, Entry local, Entry remote, VersionVector version) {
        Side winner = KEEPS_THE_NAME.compare(local, remote) > 0 ? Side.LOCAL : Side.REMOTE;
        Entry won = winner == Side.LOCAL ? local : remote;
        Entry lost = winner == Side.LOCAL ? remote : local;
        return new Conflict(winner, withVersion(won, version), loserCopy(path, lost, won, version));
    }

    /**
     * A directory with surviving children keeps the path even against a newer deletion or file. The result must
     * order after the newer side, so the directory's holder counts it as its own change (bumps its counter): both
     * peers compute the same vector, as both know which side holds the directory.
     */
    private Decision keepDirectory(TreePath path, Entry local, Entry remote) {
        Side holder;
        if (isLiveDirectory(local)) {
            holder = Side.LOCAL;
        } else if (isLiveDirectory(remote)) {
            holder = Side.REMOTE;
        } else {
            throw new IllegalArgumentException("live children below " + path
                    + ", which neither side holds as a directory");
        }
        Entry directory = holder == Side.LOCAL ? local : remote;
        // Not null: had the other side never seen the path, the directory would have been pulled as it is.
        Entry other = holder == Side.LOCAL ? remote : local;
        VersionVector version = directory.version().merged(other.version())
                .bumped(holder == Side.LOCAL ? localDevice : remoteDevice);
        return new Conflict(holder, withVersion(directory, version), loserCopy(path, other, directory, version));
    }

    /** The copy that keeps {@code lost}, if it holds data that {@code won} does not. */
    private static Optional<ConflictCopy> loserCopy(TreePath path, Entry lost, Entry won, VersionVector version) {
        boolean sameData = won.isLive() && won.kind() == lost.kind()
                && Objects.equals(won.contentHash(), lost.contentHash())
                && Objects.equals(won.symlinkTarget(), lost.symlinkTarget());
        if (!lost.isLive() || lost.isDirectory() || sameData) {
            return Optional.empty();
        }
        String name = ConflictName.of(path.name(), lost.mtimeNanos(), lastModifier(lost.version()));
        return Optional.of(new ConflictCopy(path.parent().child(name), withVersion(lost, version)));
    }

    private static boolean isLiveDirectory(Entry entry) {
        return entry != null && entry.isLive() && entry.isDirectory();
    }

    private static byte[] targetBytes(Entry entry) {
        return entry.symlinkTarget() == null ? null : entry.symlinkTarget().getBytes(StandardCharsets.UTF_8);
    }
}
