package dev.mirror.sync;

import dev.mirror.tree.Entry;
import dev.mirror.tree.TreePath;

import java.util.Objects;

/**
 * The losing side of a conflict, kept beside the winner: both peers record {@code entry} at {@code path}.
 *
 * @param path the sibling of the conflicting path named by {@link ConflictName}
 * @param entry the loser's content under the conflict's resolved version vector
 */
public record ConflictCopy(TreePath path, Entry entry) {
    public ConflictCopy {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(entry, "entry");
        if (path.isRoot()) {
            throw new IllegalArgumentException("a conflict copy needs a name");
        }
        // A directory never loses (its children are reconciled one by one), and a deletion has nothing to keep.
        if (!entry.isLive() || entry.isDirectory()) {
            throw new IllegalArgumentException("only a live file or symlink is kept as a conflict copy, not " + entry);
        }
    }
}
