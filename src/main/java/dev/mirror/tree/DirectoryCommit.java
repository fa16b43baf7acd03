package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes one scanned directory into the index: its children's changes, its buckets and its node, in one batch.
 * Runs on the index writer thread only, after every child (and every subdirectory's own commit) is final.
 */
final class DirectoryCommit {
    private final TreeIndex index;
    private final BucketRule rule;

    DirectoryCommit(TreeIndex index, BucketRule rule) {
        this.index = index;
        this.rule = rule;
    }

    /**
     * Commits {@code dir}, whose own entry is {@code dirEntry} (null for the root), and returns its summary.
     *
     * @param children every child's outcome, in name order
     */
    TreeSummary commit(TreePath dir, Entry dirEntry, List<ChildOutcome> children) throws IOException {
        BucketBuilder builder = new BucketBuilder(rule);
        long files = 0;
        long dirs = 0;
        long bytes = 0;
        try (IndexBatch batch = index.newBatch()) {
            boolean changed = false;
            for (ChildOutcome child : children) {
                changed |= stage(batch, dir, child);
                if (child.entry() != null) {
                    builder.add(child.name(), child.entry().treeHash());
                    files += child.files();
                    dirs += child.dirs();
                    bytes += child.bytes();
                }
            }
            List<Bucket> buckets = builder.finish();
            Hash childrenHash = BucketBuilder.childrenHash(buckets);
            Hash treeHash = dir.isRoot() ? MerkleHash.root(childrenHash) : MerkleHash.directory(dirEntry, childrenHash);
            TreeSummary summary = new TreeSummary(treeHash, files, dirs, bytes);
            Optional<TreeSummary> stored = index.node(dir);
            if (changed || stored.isEmpty() || !stored.get().equals(summary) || !index.buckets(dir).equals(buckets)) {
                batch.replaceBuckets(dir, buckets);
                batch.putNode(dir, summary, childrenHash);
                index.commit(batch);
            }
            return summary;
        }
    }

    /** Stages one child's changes; true if anything was staged. */
    private static boolean stage(IndexBatch batch, TreePath dir, ChildOutcome child) throws IOException {
        TreePath path = dir.child(child.name());
        boolean changed = false;
        if (child.purgeBelow()) {
            batch.purgeBelow(path);
            changed = true;
        }
        if (child.entry() == null) {
            if (child.dropChunks()) {
                batch.purgeEntry(path);
                changed = true;
            }
            return changed;
        }
        if (child.newChunks() != null) {
            batch.replaceChunks(path, child.newChunks());
            changed = true;
        } else if (child.dropChunks()) {
            batch.removeChunks(path);
            changed = true;
        }
        if (child.write()) {
            batch.putEntry(dir, child.entry());
            changed = true;
        }
        return changed;
    }
}
