package dev.mirror.tree;

import dev.mirror.scan.ChunkList;

import java.util.Objects;

/**
 * One path's new state, for {@link TreeUpdater}.
 *
 * @param entry the new entry, or null to remove the path from the index altogether (no tombstone)
 * @param local what this machine knows of the file on disk now
 * @param chunks a file's new chunk list, or null to keep the one indexed (or none, for other kinds)
 */
public record EntryChange(TreePath path, Entry entry, LocalStat local, ChunkList chunks) {
    public EntryChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(local, "local");
        if (path.isRoot()) {
            throw new IllegalArgumentException("the root has no entry to change");
        }
    }

    public static EntryChange removal(TreePath path) {
        return new EntryChange(path, null, LocalStat.UNKNOWN, null);
    }
}
