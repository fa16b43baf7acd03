package dev.mirror.tree;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The folder's Merkle tree in RocksDB (docs/index-format.md): entries, directory nodes, buckets, chunk lists and the
 * chunk index, each a column family. Reads are safe from any thread; writes go through {@link IndexBatch}, and the
 * index has one writer at a time (the owner of the folder lock). Native memory is bounded by one shared cache
 * that also pays for the memtables, so memory stays flat however large the folder grows.
 */
public final class TreeIndex implements AutoCloseable {
    static final int FORMAT = 1;
    /** The summary of a folder with nothing in it: what a new index reports before its first scan. */
    static final TreeSummary EMPTY_FOLDER =
            new TreeSummary(MerkleHash.root(BucketBuilder.childrenHash(List.of())), 0, 0, 0);
    private static final long CACHE_BYTES = 64L << 20;
    private static final long MEMTABLE_BYTES = 32L << 20;
    private static final byte[] KEY_FORMAT = ascii("format");
    private static final byte[] KEY_PARAMS = ascii("params");
    private static final byte[] KEY_SCAN = ascii("scan");
    private static final byte[] SCAN_RUNNING = ascii("running");
    private static final byte[] SCAN_DONE = ascii("done");
    private static final List<String> FAMILIES =
            List.of("default", "entries", "nodes", "buckets", "chunks", "chunk_index");

    private final Path directory;
    private final TreeParams params;
    private final List<AutoCloseable> resources;
    private final RocksDB db;
    final ColumnFamilyHandle meta;
    final ColumnFamilyHandle entries;
    final ColumnFamilyHandle nodes;
    final ColumnFamilyHandle buckets;
    final ColumnFamilyHandle chunks;
    final ColumnFamilyHandle chunkIndex;
    private final WriteOptions writeOptions;
    private final boolean interrupted;
    private boolean closed;

    private TreeIndex(Path directory, TreeParams params, List<AutoCloseable> resources, RocksDB db,
                      List<ColumnFamilyHandle> handles) throws IOException {
        this.directory = directory;
        this.params = params;
        this.resources = resources;
        this.db = db;
        this.meta = handles.get(0);
        this.entries = handles.get(1);
        this.nodes = handles.get(2);
        this.buckets = handles.get(3);
        this.chunks = handles.get(4);
        this.chunkIndex = handles.get(5);
        this.writeOptions = new WriteOptions();
        resources.add(writeOptions);
        this.interrupted = checkFormat();
    }

    /**
     * Opens (or creates) the index in {@code directory}.
     *
     * @throws IndexDamagedException if RocksDB reports corruption, or the index was made with other parameters
     */
    public static TreeIndex open(Path directory, TreeParams params) throws IOException {
        RocksDB.loadLibrary();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            LRUCache cache = track(resources, new LRUCache(CACHE_BYTES));
            WriteBufferManager memtables = track(resources, new WriteBufferManager(MEMTABLE_BYTES, cache));
            BloomFilter bloom = track(resources, new BloomFilter(10));
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom)
                    .setCacheIndexAndFilterBlocks(true).setPinL0FilterAndIndexBlocksInCache(true);
            ColumnFamilyOptions familyOptions = track(resources, new ColumnFamilyOptions()
                    .setTableFormatConfig(table).setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setWriteBufferSize(8L << 20));
            DBOptions dbOptions = track(resources, new DBOptions().setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true).setWriteBufferManager(memtables).setMaxOpenFiles(256)
                    .setKeepLogFileNum(2).setMaxBackgroundJobs(2));
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), familyOptions));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            // Closed in reverse: handles, then the database, then the options they were made with.
            resources.add(db);
            resources.addAll(handles);
            return new TreeIndex(directory, params, resources, db, handles);
        } catch (RocksDBException e) {
            closeAll(resources, e);
            throw translate("open", directory, e);
        } catch (IOException | RuntimeException e) {
            closeAll(resources, e);
            throw e;
        }
    }

    public TreeParams params() {
        return params;
    }

    /** True if the last scan into this index did not finish (a crash or kill): only a full scan repairs it. */
    public boolean wasInterrupted() {
        return interrupted;
    }

    public Optional<IndexedEntry> entry(TreePath path) throws IOException {
        if (path.isRoot()) {
            return Optional.empty();
        }
        byte[] value = get(entries, Keys.entry(path));
        return value == null ? Optional.empty() : Optional.of(EntryCodec.decode(path.name(), value));
    }

    /**
     * The entry at each of {@code paths}, in order (empty where there is none), read with one multi-get: for the
     * hundreds of files one chunk list request names, cheaper than as many gets (each a call into RocksDB that looks
     * up the column family's current version, and copies one key in and one value out).
     */
    public List<Optional<IndexedEntry>> entries(List<TreePath> paths) throws IOException {
        List<byte[]> values = multiGet(entries, paths);
        List<Optional<IndexedEntry>> found = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            byte[] value = values.get(i);
            found.add(value == null ? Optional.empty() : Optional.of(EntryCodec.decode(paths.get(i).name(), value)));
        }
        return found;
    }

    /** The children of {@code dir}, tombstones included, in unsigned byte order of their names. */
    public ChildCursor children(TreePath dir) {
        byte[] prefix = Keys.childrenPrefix(dir);
        return new ChildCursor(db.newIterator(entries), prefix, prefix);
    }

    /** The children of {@code dir} whose names come after {@code after} (unsigned UTF-8 byte order). */
    public ChildCursor childrenAfter(TreePath dir, String after) {
        return new ChildCursor(db.newIterator(entries), Keys.childrenPrefix(dir),
                Keys.entry(dir, after.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The summary of directory {@code dir}; for the root, the folder's root hash and totals. */
    public Optional<TreeSummary> node(TreePath dir) throws IOException {
        byte[] value = get(nodes, Keys.node(dir));
        return value == null ? Optional.empty() : Optional.of(EntryCodec.decodeNode(dir.toString(), value));
    }

    /** The folder's root hash and totals; an empty folder's before any scan. */
    public TreeSummary summary() throws IOException {
        Optional<TreeSummary> root = node(TreePath.ROOT);
        return root.orElse(EMPTY_FOLDER);
    }

    public List<Bucket> buckets(TreePath dir) throws IOException {
        byte[] prefix = Keys.childrenPrefix(dir);
        List<Bucket> result = new ArrayList<>();
        try (RocksIterator it = db.newIterator(buckets)) {
            for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                result.add(EntryCodec.decodeBucket(Keys.bucketName(it.key(), prefix.length), it.value()));
            }
        }
        return result;
    }

    /** The chunks of a file, in order; empty for an empty file or a path that is not an indexed file. */
    public ChunkList chunks(TreePath file) throws IOException {
        if (file.isRoot()) {
            return ChunkList.EMPTY;
        }
        byte[] value = get(chunks, Keys.entry(file));
        return value == null ? ChunkList.EMPTY : EntryCodec.decodeChunks(file.toString(), value);
    }

    /** The chunks of each of {@code files}, in order, as {@link #chunks(TreePath)} gives them: one multi-get. */
    public List<ChunkList> chunks(List<TreePath> files) throws IOException {
        List<byte[]> values = multiGet(chunks, files);
        List<ChunkList> lists = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            byte[] value = values.get(i);
            lists.add(value == null ? ChunkList.EMPTY : EntryCodec.decodeChunks(files.get(i).toString(), value));
        }
        return lists;
    }

    /** Where a chunk with this hash can be read locally, if any indexed file holds it. */
    public Optional<ChunkLocation> findChunk(Hash chunk) throws IOException {
        byte[] prefix = Keys.chunkLocation(chunk, new byte[0]);
        try (RocksIterator it = db.newIterator(chunkIndex)) {
            it.seek(prefix);
            if (!it.isValid() || !Keys.startsWith(it.key(), prefix)) {
                return Optional.empty();
            }
            return Optional.of(ChunkLocation.decode(it.key(), it.value()));
        }
    }

    public IndexBatch newBatch() {
        return new IndexBatch(this);
    }

    /** Applies every change in {@code batch} at once: after a crash, all of it is there or none of it. */
    public void commit(IndexBatch batch) throws IOException {
        try {
            db.write(writeOptions, batch.writes());
        } catch (RocksDBException e) {
            throw translate("write to", directory, e);
        }
    }

    /** Records that a full scan started; until {@link #markScanFinished} the index may be inconsistent. */
    public void markScanStarted() throws IOException {
        put(meta, KEY_SCAN, SCAN_RUNNING);
    }

    public void markScanFinished() throws IOException {
        put(meta, KEY_SCAN, SCAN_DONE);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(resources, null);
    }

    byte[] get(ColumnFamilyHandle family, byte[] key) throws IOException {
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw translate("read from", directory, e);
        }
    }

    /** The values at the entry keys of {@code paths} in {@code family}, in order; null where there is none. */
    private List<byte[]> multiGet(ColumnFamilyHandle family, List<TreePath> paths) throws IOException {
        List<byte[]> keys = new ArrayList<>(paths.size());
        for (TreePath path : paths) {
            if (!path.isRoot()) { // the root is no one's child: it has no entry
                keys.add(Keys.entry(path));
            }
        }
        List<byte[]> values;
        try {
            values = keys.isEmpty() ? List.of() : db.multiGetAsList(Collections.nCopies(keys.size(), family), keys);
        } catch (RocksDBException e) {
            throw translate("read from", directory, e);
        }
        if (keys.size() == paths.size()) {
            return values;
        }
        List<byte[]> all = new ArrayList<>(paths.size());
        int next = 0;
        for (TreePath path : paths) {
            all.add(path.isRoot() ? null : values.get(next++));
        }
        return all;
    }

    RocksDB db() {
        return db;
    }

    private void put(ColumnFamilyHandle family, byte[] key, byte[] value) throws IOException {
        try {
            db.put(family, writeOptions, key, value);
        } catch (RocksDBException e) {
            throw translate("write to", directory, e);
        }
    }

    /** Pins the format and parameters into a new index, or checks them in an existing one. */
    private boolean checkFormat() throws IOException {
        byte[] format = get(meta, KEY_FORMAT);
        byte[] expected = ascii(params.describe());
        if (format == null) {
            if (get(meta, KEY_PARAMS) != null || hasAny(entries)) {
                throw new IndexDamagedException("the index in " + directory + " has entries but no format record",
                        null);
            }
            put(meta, KEY_FORMAT, ascii(Integer.toString(FORMAT)));
            put(meta, KEY_PARAMS, expected);
            return false;
        }
        String stored = new String(format, StandardCharsets.US_ASCII);
        if (!stored.equals(Integer.toString(FORMAT))) {
            throw new IndexDamagedException("the index in " + directory + " has format " + stored
                    + ", this mirror reads format " + FORMAT, null);
        }
        byte[] storedParams = get(meta, KEY_PARAMS);
        if (storedParams == null || !Arrays.equals(storedParams, expected)) {
            throw new IndexDamagedException("the index in " + directory + " was built with parameters '"
                    + (storedParams == null ? "none" : new String(storedParams, StandardCharsets.US_ASCII))
                    + "', not '" + params.describe() + "'", null);
        }
        byte[] scan = get(meta, KEY_SCAN);
        return scan != null && Arrays.equals(scan, SCAN_RUNNING);
    }

    private boolean hasAny(ColumnFamilyHandle family) {
        try (RocksIterator it = db.newIterator(family)) {
            it.seekToFirst();
            return it.isValid();
        }
    }

    static IOException translate(String action, Path directory, RocksDBException e) {
        Status status = e.getStatus();
        String reason = status != null && status.getState() != null ? status.getState() : e.getMessage();
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return new IndexDamagedException("the index in " + directory + " is damaged: " + reason, e);
        }
        return new IOException("Cannot " + action + " the index in " + directory + ": " + reason, e);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> resources, Throwable primary) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                }
            }
        }
        resources.clear();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
