package dev.mirror.tree;

import dev.mirror.core.Hash;
import org.rocksdb.RocksIterator;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies a few changes to the index without a scan: each changed entry, the buckets that hold it, and every
 * ancestor's hash and totals up to the root, all in one atomic batch. Only the bucket around each change is hashed
 * again (about 2^bits children), so one change in a directory of 100,000 entries costs one bucket, not 100,000.
 * Must run on the index's single writer. Not thread-safe.
 */
public final class TreeUpdater {
    private final TreeIndex index;
    private final BucketRule rule;
    private int childrenHashed;

    public TreeUpdater(TreeIndex index) {
        this.index = index;
        this.rule = new BucketRule(index.params().bucketBits());
    }

    /** Applies {@code changes} (at most one per path) and returns the folder's new root summary. */
    public TreeSummary apply(List<EntryChange> changes) throws IOException {
        childrenHashed = 0;
        // Deepest directories first, so a parent is updated after all its children.
        TreeMap<TreePath, Directory> dirty = new TreeMap<>(
                Comparator.comparingInt(TreePath::depth).reversed().thenComparing(Comparator.naturalOrder()));
        try (IndexBatch batch = index.newBatch()) {
            for (EntryChange change : changes) {
                stage(batch, change, dirty);
            }
            TreeSummary root = null;
            while (!dirty.isEmpty()) {
                Map.Entry<TreePath, Directory> next = dirty.pollFirstEntry();
                root = rehash(batch, next.getKey(), next.getValue(), dirty);
            }
            index.commit(batch);
            return root == null ? index.summary() : root;
        }
    }

    /** How many children the last {@link #apply} fed into bucket hashes: what it cost. */
    public int childrenHashed() {
        return childrenHashed;
    }

    private void stage(IndexBatch batch, EntryChange change, Map<TreePath, Directory> dirty) throws IOException {
        TreePath path = change.path();
        IndexedEntry old = batch.entry(path);
        Directory parent = dirty.computeIfAbsent(path.parent(), p -> new Directory());
        parent.changedNames.add(path.name());
        parent.subtract(contribution(old, path));
        if (change.entry() == null) {
            if (old != null && old.entry().isDirectory()) {
                batch.purgeBelow(path);
            }
            batch.purgeEntry(path);
            return;
        }
        Entry entry = change.entry();
        if (change.chunks() != null) {
            batch.replaceChunks(path, change.chunks());
        } else if (entry.kind() != EntryKind.FILE || entry.deleted()) {
            batch.removeChunks(path);
        }
        if (old != null && old.entry().isDirectory() && !entry.isDirectory()) {
            batch.purgeBelow(path);
        }
        Hash treeHash;
        if (entry.isDirectory()) {
            Hash childrenHash = BucketBuilder.childrenHash(index.buckets(path));
            treeHash = MerkleHash.directory(entry, childrenHash);
            TreeSummary below = index.node(path).orElse(new TreeSummary(treeHash, 0, 0, 0));
            batch.putNode(path, new TreeSummary(treeHash, below.files(), below.dirs(), below.bytes()), childrenHash);
        } else {
            treeHash = MerkleHash.entry(entry);
        }
        IndexedEntry next = new IndexedEntry(path.name(), entry, change.local(), treeHash);
        batch.putEntry(path.parent(), next);
        parent.add(contribution(next, path));
    }

    /** Re-hashes the buckets around each changed name, then the directory, and marks its parent dirty. */
    private TreeSummary rehash(IndexBatch batch, TreePath dir, Directory changes, Map<TreePath, Directory> dirty)
            throws IOException {
        // Names in byte order: a region rebuilt for one name often covers the next ones too (many changes in one
        // directory), and those need no second pass.
        byte[] coveredThrough = null;
        boolean coveredToEnd = false;
        for (String name : changes.changedNames) {
            byte[] key = Keys.entry(dir, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (coveredToEnd || coveredThrough != null && Arrays.compareUnsigned(key, coveredThrough) <= 0) {
                continue;
            }
            coveredThrough = rebuildRegion(batch, dir, name);
            coveredToEnd = coveredThrough == null;
        }
        List<Bucket> buckets = batch.buckets(dir);
        Hash childrenHash = BucketBuilder.childrenHash(buckets);
        TreeSummary old = node(batch, dir);
        long files = old.files() + changes.files;
        long dirs = old.dirs() + changes.dirs;
        long bytes = old.bytes() + changes.bytes;
        if (dir.isRoot()) {
            TreeSummary root = new TreeSummary(MerkleHash.root(childrenHash), files, dirs, bytes);
            batch.putNode(dir, root, childrenHash);
            return root;
        }
        IndexedEntry self = batch.entry(dir);
        if (self == null || !self.entry().isDirectory()) {
            throw new IllegalStateException("changes below '" + dir + "', which is not an indexed directory");
        }
        Hash treeHash = MerkleHash.directory(self.entry(), childrenHash);
        batch.putNode(dir, new TreeSummary(treeHash, files, dirs, bytes), childrenHash);
        batch.putEntry(dir.parent(), new IndexedEntry(self.name(), self.entry(), self.local(), treeHash));
        Directory parent = dirty.computeIfAbsent(dir.parent(), p -> new Directory());
        parent.changedNames.add(dir.name());
        // A deleted directory counts for nothing in its parent's totals (stage() already took out what it held), so
        // the changes below it stop here.
        if (self.entry().isLive()) {
            parent.files += changes.files;
            parent.dirs += changes.dirs;
            parent.bytes += changes.bytes;
        }
        return null;
    }

    /**
     * Re-cuts the run of buckets around {@code name}: from the bucket end before it (exclusive) to the first point
     * past it where a bucket ends, replacing the bucket records in that run. Whatever changed inside (added,
     * removed or changed children, a cut point appearing or vanishing), the result equals a full re-cut.
     *
     * @return the key of the last child in the run, or null if it ran to the end of the directory
     */
    private byte[] rebuildRegion(IndexBatch batch, TreePath dir, String name) throws IOException {
        byte[] prefix = Keys.childrenPrefix(dir);
        byte[] nameKey = Keys.entry(dir, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] start = null;
        try (RocksIterator it = batch.iterator(index.buckets)) {
            it.seekForPrev(nameKey);
            if (it.isValid() && Keys.startsWith(it.key(), prefix) && Arrays.compareUnsigned(it.key(), nameKey) < 0) {
                start = it.key();
            } else if (it.isValid() && Keys.startsWith(it.key(), prefix)) {
                it.prev();
                start = it.isValid() && Keys.startsWith(it.key(), prefix) ? it.key() : null;
            }
        }
        BucketBuilder builder = new BucketBuilder(rule);
        byte[] lastSeen = null;
        boolean toEnd = true;
        try (RocksIterator it = batch.iterator(index.entries)) {
            if (start == null) {
                it.seek(prefix);
            } else {
                it.seek(start);
                if (it.isValid() && Arrays.equals(it.key(), start)) {
                    it.next();
                }
            }
            for (; it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                String child = Keys.name(it.key(), prefix.length);
                builder.add(child, EntryCodec.treeHash(child, it.value()));
                childrenHashed++;
                lastSeen = it.key();
                if (Arrays.compareUnsigned(it.key(), nameKey) >= 0 && !builder.isOpen()) {
                    toEnd = false;
                    break;
                }
            }
        }
        batch.replaceBucketRange(dir, start, toEnd ? null : lastSeen, builder.finish());
        return toEnd ? null : lastSeen;
    }

    private TreeSummary node(IndexBatch batch, TreePath dir) throws IOException {
        Optional<TreeSummary> node = batch.node(dir);
        // A directory this batch creates has no node yet: it starts from nothing.
        return node.orElse(TreeIndex.EMPTY_FOLDER);
    }

    private Contribution contribution(IndexedEntry entry, TreePath path) throws IOException {
        if (entry == null || entry.entry().deleted()) {
            return new Contribution(0, 0, 0);
        }
        Entry e = entry.entry();
        if (e.isDirectory()) {
            TreeSummary below = index.node(path).orElse(new TreeSummary(entry.treeHash(), 0, 0, 0));
            return new Contribution(below.files(), below.dirs() + 1, below.bytes());
        }
        return new Contribution(1, 0, e.kind() == EntryKind.FILE ? e.size() : 0);
    }

    private record Contribution(long files, long dirs, long bytes) {
    }

    /** A directory's changed names and the change of its totals, gathered before it is re-hashed. */
    private static final class Directory {
        final TreeSet<String> changedNames = new TreeSet<>(TreePath::compareNames);
        long files;
        long dirs;
        long bytes;

        void add(Contribution c) {
            files += c.files();
            dirs += c.dirs();
            bytes += c.bytes();
        }

        void subtract(Contribution c) {
            files -= c.files();
            dirs -= c.dirs();
            bytes -= c.bytes();
        }
    }
}
