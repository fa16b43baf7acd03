package dev.mirror.sync;

import dev.mirror.tree.Entry;
import dev.mirror.tree.VersionVector;

import java.util.Objects;
import java.util.Optional;

/**
 * What one device does about one path that differs from a peer's, as {@link Reconciler} decides it. The peer decides
 * the same path with the sides swapped and gets the mirrored decision; once both have applied theirs, both hold
 * {@link #outcome} at the path (and the same {@link ConflictCopy}, if any). Immutable values.
 *
 * <p>Whoever applies a decision re-checks the disk first: a file that changed since it was indexed is a new
 * conflict, never something to overwrite.
 */
public sealed interface Decision
        permits Decision.InSync, Decision.Pull, Decision.PeerPulls, Decision.MergeVersions, Decision.Conflict {

    /**
     * The entry both peers hold at the path once both have applied their decisions, given what this device held
     * ({@code local}, null if nothing); null if neither holds anything.
     */
    Entry outcome(Entry local);

    /** Both hold the same entry, or neither has ever seen the path: nothing to do on either side. */
    record InSync() implements Decision {
        @Override
        public Entry outcome(Entry local) {
            return local;
        }
    }

    /**
     * The peer's entry is newer: make the path hold {@code entry} (fetch the bytes, create the directory, write the
     * link, or delete, keeping the replaced version in {@code .mirror/versions/}).
     */
    record Pull(Entry entry) implements Decision {
        public Pull {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public Entry outcome(Entry local) {
            return entry;
        }
    }

    /** Ours is newer: the peer pulls it; nothing to do here. */
    record PeerPulls() implements Decision {
        @Override
        public Entry outcome(Entry local) {
            return local;
        }
    }

    /**
     * Concurrent histories reached the same content: both sides record {@code merged} (the element-wise maximum,
     * which orders after both) and keep what they have. No bytes move.
     */
    record MergeVersions(VersionVector merged) implements Decision {
        public MergeVersions {
            Objects.requireNonNull(merged, "merged");
        }

        @Override
        public Entry outcome(Entry local) {
            return Reconciler.withVersion(local, merged);
        }
    }

    /**
     * Concurrent changes that differ. The {@code winner} side's content keeps the name, as {@code resolved} (the
     * winner's content under a version that orders after both sides); the loser, if it holds data the winner does
     * not (a live file or symlink with other content), is kept as {@code loserCopy} by both peers.
     *
     * <p>Applying it, if {@code winner} is {@link Side#LOCAL}: keep the path's content and record {@code resolved};
     * fetch the copy's content from the peer (it is the peer's entry at the path before it moves it aside).
     * If {@code winner} is {@link Side#REMOTE}: first move our file at the path to the copy's path, if there is a
     * copy (a local rename: no bytes travel), then make the path hold {@code resolved} as for a {@link Pull} (which
     * moves no bytes when only the version, time or mode differ).
     */
    record Conflict(Side winner, Entry resolved, Optional<ConflictCopy> loserCopy) implements Decision {
        public Conflict {
            Objects.requireNonNull(winner, "winner");
            Objects.requireNonNull(resolved, "resolved");
            Objects.requireNonNull(loserCopy, "loserCopy");
        }

        @Override
        public Entry outcome(Entry local) {
            return resolved;
        }
    }
}
