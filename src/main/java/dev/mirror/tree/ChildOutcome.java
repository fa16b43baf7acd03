package dev.mirror.tree;

import dev.mirror.scan.ChunkList;

/**
 * What a scan decided for one child of a directory, ready for the index writer.
 *
 * @param entry the child's entry from now on, or null if it leaves the index (ignored now, or never indexable)
 * @param write whether {@code entry} differs from what the index holds
 * @param newChunks the file's new chunk list, or null to leave the chunk list as it is
 * @param dropChunks whether the chunk list held for this name must go; with a null entry, the stored entry too
 * @param purgeBelow whether everything the index holds below this name must go (it is no longer a directory)
 * @param subtree for a directory, its summary; otherwise null
 */
record ChildOutcome(String name, IndexedEntry entry, boolean write, ChunkList newChunks, boolean dropChunks,
                    boolean purgeBelow, TreeSummary subtree) {

    static ChildOutcome kept(IndexedEntry stored, TreeSummary subtree) {
        return new ChildOutcome(stored.name(), stored, false, null, false, false, subtree);
    }

    static ChildOutcome removed(String name, boolean wasDirectory) {
        return new ChildOutcome(name, null, false, null, true, wasDirectory, null);
    }

    static ChildOutcome nothing(String name) {
        return new ChildOutcome(name, null, false, null, false, false, null);
    }

    /** Live files (symlinks count as files), directories and bytes this child adds to its parent's totals. */
    long files() {
        if (entry == null || entry.entry().deleted()) {
            return 0;
        }
        return entry.entry().isDirectory() ? subtree.files() : 1;
    }

    long dirs() {
        if (entry == null || entry.entry().deleted() || !entry.entry().isDirectory()) {
            return 0;
        }
        return 1 + subtree.dirs();
    }

    long bytes() {
        if (entry == null || entry.entry().deleted()) {
            return 0;
        }
        Entry e = entry.entry();
        return e.isDirectory() ? subtree.bytes() : e.kind() == EntryKind.FILE ? e.size() : 0;
    }
}
