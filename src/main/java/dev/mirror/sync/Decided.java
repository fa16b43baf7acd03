package dev.mirror.sync;

import dev.mirror.tree.Entry;
import dev.mirror.tree.IndexedEntry;
import dev.mirror.tree.TreePath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A differing path with what {@link Reconciler} decided for it, and what that means for this side: the entry the
 * path must hold ({@link #target}), whether our content stays as it is, and in which phase of a {@link PullRound} it
 * is applied.
 */
record Decided(TreePath path, IndexedEntry local, RemoteEntry remote, Decision decision) {

    /**
     * Decides every difference, children before parents (whether a directory survives depends on its children's
     * outcomes), and returns them deepest first.
     */
    static List<Decided> all(Reconciler reconciler, Descent.Result found) {
        List<Descent.Difference> ordered = new ArrayList<>(found.differences());
        ordered.sort(Comparator.comparingInt((Descent.Difference d) -> d.path().depth()).reversed()
                .thenComparing(Descent.Difference::path));
        Set<TreePath> liveChildren = new HashSet<>(found.liveKept());
        List<Decided> decided = new ArrayList<>(ordered.size());
        for (Descent.Difference d : ordered) {
            Entry local = d.local() == null ? null : d.local().entry();
            boolean childrenRemain = liveChildren.contains(d.path());
            Decision decision = reconciler.decide(d.path(), local, d.remote().entry(), childrenRemain);
            Entry outcome = decision.outcome(local);
            if (outcome != null && outcome.isLive()
                    || decision instanceof Decision.Conflict c && c.loserCopy().isPresent()) {
                liveChildren.add(d.path().parent());
            }
            decided.add(new Decided(d.path(), d.local(), d.remote(), decision));
        }
        return decided;
    }

    /** The entry the path must hold once this side has acted; null if this side has nothing to do here. */
    Entry target() {
        if (decision instanceof Decision.Pull pull) {
            return pull.entry();
        }
        if (decision instanceof Decision.MergeVersions || decision instanceof Decision.Conflict) {
            return decision.outcome(local == null ? null : local.entry());
        }
        return null;
    }

    /** True if our content at the path stays and only the entry's version (or nothing on disk) changes. */
    boolean keepsLocalContent() {
        if (decision instanceof Decision.MergeVersions) {
            return true;
        }
        if (decision instanceof Decision.Conflict conflict && conflict.winner() == Side.LOCAL) {
            return true;
        }
        Entry target = target();
        return target != null && local != null && local.entry().sameContentAs(target);
    }

    /** True if applying it must wait until the path's children are gone: a deletion, or a directory replaced. */
    boolean deferredToBottomUp() {
        Entry target = target();
        if (target == null || keepsLocalContent()) {
            return false;
        }
        boolean localDirectory = local != null && local.entry().isLive() && local.entry().isDirectory();
        return !target.isLive() || localDirectory && !target.isDirectory();
    }

    /** The losing side's copy this side must make, or null. */
    ConflictCopy conflictCopy() {
        return decision instanceof Decision.Conflict conflict ? conflict.loserCopy().orElse(null) : null;
    }

    Side winner() {
        return decision instanceof Decision.Conflict conflict ? conflict.winner() : Side.REMOTE;
    }
}
