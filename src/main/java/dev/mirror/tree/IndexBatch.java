package dev.mirror.tree;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Changes to the index that commit together ({@link TreeIndex#commit}). Reads through the batch see its own
 * uncommitted writes, so a change can build on the one before it. Owns native memory: close it. Not thread-safe.
 */
public final class IndexBatch implements AutoCloseable {
    private final TreeIndex index;
    private final WriteBatchWithIndex writes = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();

    IndexBatch(TreeIndex index) {
        this.index = index;
    }

    public void putEntry(TreePath parent, IndexedEntry entry) throws IOException {
        TreePath path = parent.child(entry.name());
        put(index.entries, Keys.entry(path), EntryCodec.encode(entry));
    }

    /** Reads an entry as this batch would leave it. */
    public IndexedEntry entry(TreePath path) throws IOException {
        byte[] value = get(index.entries, Keys.entry(path));
        return value == null ? null : EntryCodec.decode(path.name(), value);
    }

    /** Records a file's chunks, replacing (and un-indexing) whatever chunks the path had before. */
    public void replaceChunks(TreePath file, ChunkList newChunks) throws IOException {
        removeChunks(file);
        byte[] entryKey = Keys.entry(file);
        put(index.chunks, entryKey, newChunks.packed());
        long offset = 0;
        for (int i = 0; i < newChunks.count(); i++) {
            int length = newChunks.length(i);
            put(index.chunkIndex, Keys.chunkLocation(newChunks.hash(i), entryKey),
                    ChunkLocation.encodeValue(offset, length));
            offset += length;
        }
    }

    /** Forgets a path's chunk list and its places in the chunk index. */
    public void removeChunks(TreePath file) throws IOException {
        removeChunksAt(Keys.entry(file), file.toString());
    }

    /** Removes a path from the index entirely (no tombstone): it was never there, as far as peers learn. */
    public void purgeEntry(TreePath path) throws IOException {
        removeChunks(path);
        delete(index.entries, Keys.entry(path));
    }

    /**
     * Removes everything the index holds below {@code dir} (not {@code dir}'s own entry): entries, chunk lists and
     * their chunk index records, nodes and buckets. Reads the committed index, so call it before staging anything
     * else below {@code dir} in this batch.
     */
    public void purgeBelow(TreePath dir) throws IOException {
        byte[] children = Keys.childrenPrefix(dir);
        byte[] deeper = Keys.descendantsPrefix(dir);
        for (byte[] prefix : new byte[][] {children, deeper}) {
            forEachKey(index.entries, prefix, key -> {
                removeChunksAt(key, "below " + dir);
                delete(index.entries, key);
            });
            forEachKey(index.buckets, prefix, key -> delete(index.buckets, key));
        }
        forEachKey(index.nodes, deeper, key -> delete(index.nodes, key));
        delete(index.nodes, Keys.node(dir));
    }

    public void putNode(TreePath dir, TreeSummary summary, Hash childrenHash) throws IOException {
        put(index.nodes, Keys.node(dir), EntryCodec.encode(summary, childrenHash));
    }

    /**
     * Replaces a directory's bucket records after {@code startExclusive} (a bucket key, or null for the first)
     * up to {@code endInclusive} (an entry key whose name ended a bucket, or null for the end of the directory).
     */
    void replaceBucketRange(TreePath dir, byte[] startExclusive, byte[] endInclusive, List<Bucket> newBuckets)
            throws IOException {
        byte[] prefix = Keys.childrenPrefix(dir);
        try (RocksIterator it = iterator(index.buckets)) {
            it.seek(startExclusive == null ? prefix : startExclusive);
            for (; it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                byte[] key = it.key();
                if (startExclusive != null && Arrays.equals(key, startExclusive)) {
                    continue;
                }
                if (endInclusive != null && Arrays.compareUnsigned(key, endInclusive) > 0) {
                    break;
                }
                delete(index.buckets, key);
            }
        }
        for (Bucket bucket : newBuckets) {
            put(index.buckets, Keys.bucket(dir, bucket.lastName()), EntryCodec.encode(bucket));
        }
    }

    /** A directory's buckets as this batch would leave them. */
    List<Bucket> buckets(TreePath dir) throws IOException {
        byte[] prefix = Keys.childrenPrefix(dir);
        List<Bucket> result = new ArrayList<>();
        try (RocksIterator it = iterator(index.buckets)) {
            for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                result.add(EntryCodec.decodeBucket(Keys.bucketName(it.key(), prefix.length), it.value()));
            }
        }
        return result;
    }

    /** A directory's node as this batch would leave it. */
    Optional<TreeSummary> node(TreePath dir) throws IOException {
        byte[] value = get(index.nodes, Keys.node(dir));
        return value == null ? Optional.empty()
                : Optional.of(EntryCodec.decodeNode(dir.toString(), value));
    }

    /** Iterates a column family as this batch would leave it. Close it. */
    RocksIterator iterator(ColumnFamilyHandle family) {
        return writes.newIteratorWithBase(family, index.db().newIterator(family));
    }

    /** Replaces all of a directory's buckets. */
    public void replaceBuckets(TreePath dir, List<Bucket> newBuckets) throws IOException {
        byte[] prefix = Keys.childrenPrefix(dir);
        try (RocksIterator it = iterator(index.buckets)) {
            for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                delete(index.buckets, it.key());
            }
        }
        for (Bucket bucket : newBuckets) {
            put(index.buckets, Keys.bucket(dir, bucket.lastName()), EntryCodec.encode(bucket));
        }
    }

    /** Removes the chunk list stored under {@code entryKey} and its chunk index records, if there is one. */
    private void removeChunksAt(byte[] entryKey, String path) throws IOException {
        byte[] old = get(index.chunks, entryKey);
        if (old == null) {
            return;
        }
        ChunkList oldChunks = EntryCodec.decodeChunks(path, old);
        for (int i = 0; i < oldChunks.count(); i++) {
            delete(index.chunkIndex, Keys.chunkLocation(oldChunks.hash(i), entryKey));
        }
        delete(index.chunks, entryKey);
    }

    private void forEachKey(ColumnFamilyHandle family, byte[] prefix, KeyAction action) throws IOException {
        try (RocksIterator it = index.db().newIterator(family)) {
            for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                action.accept(it.key());
            }
        }
    }

    /** Something done with each key of a range; may fail as I/O does. */
    private interface KeyAction {
        void accept(byte[] key) throws IOException;
    }

    WriteBatchWithIndex writes() {
        return writes;
    }

    @Override
    public void close() {
        readOptions.close();
        writes.close();
    }

    private byte[] get(ColumnFamilyHandle family, byte[] key) throws IOException {
        try {
            return writes.getFromBatchAndDB(index.db(), family, readOptions, key);
        } catch (RocksDBException e) {
            throw TreeIndex.translate("read from", null, e);
        }
    }

    private void put(ColumnFamilyHandle family, byte[] key, byte[] value) throws IOException {
        try {
            writes.put(family, key, value);
        } catch (RocksDBException e) {
            throw TreeIndex.translate("stage a write to", null, e);
        }
    }

    private void delete(ColumnFamilyHandle family, byte[] key) throws IOException {
        try {
            writes.delete(family, key);
        } catch (RocksDBException e) {
            throw TreeIndex.translate("stage a write to", null, e);
        }
    }
}
