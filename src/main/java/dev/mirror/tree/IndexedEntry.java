package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.util.Objects;

/**
 * An entry as the index holds it: the shared fields, the local stat, and the hash it contributes to its parent
 * (for a directory, the hash of its whole subtree).
 */
public record IndexedEntry(String name, Entry entry, LocalStat local, Hash treeHash) {
    public IndexedEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(treeHash, "treeHash");
    }

    /** A file, symlink or tombstone, whose tree hash is its entry hash. */
    public static IndexedEntry leaf(String name, Entry entry, LocalStat local) {
        return new IndexedEntry(name, entry, local, MerkleHash.entry(entry));
    }
}
