package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.tree.Entry;
import dev.mirror.tree.TreePath;

import java.util.Objects;

/** A peer's entry for {@code path}, checked, with the hash it contributes to its parent (for a directory: its subtree). */
public record RemoteEntry(TreePath path, Entry entry, Hash treeHash) {
    public RemoteEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(treeHash, "treeHash");
    }
}
