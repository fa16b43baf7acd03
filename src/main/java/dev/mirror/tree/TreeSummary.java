package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.util.Objects;

/** What a subtree holds: its hash and how many live files, directories and bytes are below it. */
public record TreeSummary(Hash treeHash, long files, long dirs, long bytes) {
    public TreeSummary {
        Objects.requireNonNull(treeHash, "treeHash");
        if (files < 0 || dirs < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative totals: " + files + " files, " + dirs + " dirs, "
                    + bytes + " bytes");
        }
    }
}
