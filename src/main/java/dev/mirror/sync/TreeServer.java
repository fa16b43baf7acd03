package dev.mirror.sync;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.store.UnchangedFiles;
import dev.mirror.tree.Bucket;
import dev.mirror.tree.ChildCursor;
import dev.mirror.tree.ChunkLocation;
import dev.mirror.tree.Entry;
import dev.mirror.tree.IndexedEntry;
import dev.mirror.tree.TreeIndex;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.BucketHash;
import dev.mirror.wire.proto.ChunkData;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkPage;
import dev.mirror.wire.proto.ChunkRef;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.DirectoryQuery;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.FileChunks;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;
import dev.mirror.wire.proto.Listing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Answers a peer's requests from our index (docs/protocol.md): directory listings and bucket hashes, chunk lists,
 * and chunks. A peer reaches only what is indexed — chunks are found by hash in the chunk index, and a small file's
 * content is read only at a path indexed as a live file — so ignored files and {@code .mirror/} stay out of its reach.
 * Every reply stays under the frame cap: big
 * listings and chunk lists come in pages. Reads only; safe to call from many threads.
 */
public final class TreeServer {
    /** Most queries one list or chunk list request may carry. */
    public static final int MAX_QUERIES = 4096;
    /** Most chunk bytes one chunk request may ask for (well under the 4 MiB frame cap). */
    public static final int MAX_CHUNK_REQUEST_BYTES = 2 << 20;
    /**
     * Files at most this big come with their bytes in a chunk list reply when the query asks for it: the average chunk,
     * so such a file is mostly one chunk, which an edit resends whole anyway.
     */
    public static final int MAX_INLINE_BYTES = 64 << 10;
    /** Roughly how many bytes of entries or chunk records one reply carries before it says "truncated". */
    static final int REPLY_BUDGET_BYTES = 1 << 20;
    static final int CHUNK_LIST_PAGE = 16_384;
    /** A chunk's record in a reply: 32-byte hash, length and protobuf tags. */
    private static final int REF_BYTES = ChunkList.RECORD_BYTES + 4;
    /** A page's record in a reply: 32-byte hash, count and protobuf tags. */
    private static final int PAGE_BYTES = Hash.BYTES + 8;

    private final TreeIndex index;
    private final Path folder;
    /** Small files are read through {@link UnchangedFiles}; set before the first request, by one thread. */
    private boolean nativeReads = UnchangedFiles.isAvailable();

    public TreeServer(TreeIndex index, Path folder) {
        this.index = index;
        this.folder = folder;
    }

    /** For tests: small files are read through the JDK alone, as where the C library's calls are not bound. */
    void withoutNativeReads() {
        nativeReads = false;
    }

    /** The reply to {@code request} (id not set). */
    public Frame answer(Frame request) throws IOException {
        return answer(request, null);
    }

    /**
     * As {@link #answer}, but the small files a chunk list reply carries are read into this thread's native memory
     * ({@link ContentArena#forReplies}) instead of an array each: the reply is valid until this thread answers again,
     * so encode it before that (wire.Link#reply does, on the calling thread). The frame it is encoded into is in
     * native memory too: the bytes go from the page cache to it with one copy in between, where an array took an
     * allocation, its zeroing and two copies.
     */
    public Frame answerToEncodeNow(Frame request) throws IOException {
        ContentArena arena = ContentArena.forReplies();
        arena.startOver(); // this thread's last reply is encoded: the contract above
        return answer(request, arena);
    }

    private Frame answer(Frame request, ContentArena arena) throws IOException {
        return switch (request.getBodyCase()) {
            case LIST_REQUEST -> Frame.newBuilder().setListReply(list(request.getListRequest())).build();
            case CHUNK_LIST_REQUEST -> Frame.newBuilder()
                    .setChunkListReply(chunkLists(request.getChunkListRequest(), arena)).build();
            case CHUNK_REQUEST -> Frame.newBuilder().setChunkReply(chunks(request.getChunkRequest())).build();
            default -> throw new ProtocolException(Failure.Code.PROTOCOL, request.getBodyCase() + " is no request");
        };
    }

    ListReply list(ListRequest request) throws IOException {
        requireAtMost(request.getQueriesCount(), MAX_QUERIES, "directory queries");
        ListReply.Builder reply = ListReply.newBuilder();
        int budget = REPLY_BUDGET_BYTES;
        for (DirectoryQuery query : request.getQueriesList()) {
            Listing listing = listing(query, budget);
            budget -= listing.getSerializedSize();
            reply.addListings(listing);
        }
        return reply.build();
    }

    private Listing listing(DirectoryQuery query, int budget) throws IOException {
        TreePath dir = WireEntries.checkPath(query.getPath());
        Listing.Builder listing = Listing.newBuilder().setPath(query.getPath());
        Optional<IndexedEntry> self = index.entry(dir);
        // A deleted directory is listed too: its children are the tombstones the peer needs to decide its own.
        if (!dir.isRoot() && (self.isEmpty() || !self.get().entry().isDirectory())) {
            return listing.setMissing(true).build();
        }
        listing.setTreeHash(WireHashes.bytes(dir.isRoot() ? index.summary().treeHash() : self.get().treeHash()));
        List<Bucket> buckets = index.buckets(dir);
        listing.setBucketCount(buckets.size());
        if (query.getBuckets() && buckets.size() > 1) {
            for (Bucket bucket : buckets) {
                listing.addBuckets(BucketHash.newBuilder().setLastName(bucket.lastName() == null ? ""
                        : bucket.lastName()).setHash(WireHashes.bytes(bucket.hash())).setCount(bucket.count()));
            }
            return listing.build();
        }
        String through = query.getThrough();
        int used = 0;
        try (ChildCursor children = query.getAfter().isEmpty() ? index.children(dir)
                : index.childrenAfter(dir, query.getAfter())) {
            for (IndexedEntry child = children.next(); child != null; child = children.next()) {
                if (!through.isEmpty() && TreePath.compareNames(child.name(), through) > 0) {
                    break;
                }
                if (used >= budget && listing.getEntriesCount() > 0 || used >= REPLY_BUDGET_BYTES) {
                    return listing.setTruncated(true).build();
                }
                dev.mirror.wire.proto.Entry wire = WireEntries.toWire(child);
                used += wire.getSerializedSize() + 4;
                listing.addEntries(wire);
            }
        }
        return listing.build();
    }

    ChunkListReply chunkLists(ChunkListRequest request) throws IOException {
        return chunkLists(request, null);
    }

    /** The chunk lists {@code request} asks for, with the small files' bytes in {@code arena} where it has room. */
    private ChunkListReply chunkLists(ChunkListRequest request, ContentArena arena) throws IOException {
        requireAtMost(request.getQueriesCount(), MAX_QUERIES, "chunk list queries");
        ChunkListReply.Builder reply = ChunkListReply.newBuilder();
        int budget = REPLY_BUDGET_BYTES;
        int contentBudget = MAX_CHUNK_REQUEST_BYTES;
        List<TreePath> paths = new ArrayList<>(request.getQueriesCount());
        for (ChunkListQuery query : request.getQueriesList()) {
            paths.add(WireEntries.checkPath(query.getPath()));
        }
        // All at once: a request names up to hundreds of small files, and one multi-get costs less than two gets each.
        List<Optional<IndexedEntry>> entries = index.entries(paths);
        List<ChunkList> lists = index.chunks(paths);
        for (int i = 0; i < paths.size(); i++) {
            ChunkListQuery query = request.getQueries(i);
            FileChunks.Builder file = FileChunks.newBuilder().setPath(query.getPath()).setFirst(query.getFirst());
            TreePath path = paths.get(i);
            Optional<IndexedEntry> entry = entries.get(i);
            if (entry.isEmpty() || !entry.get().entry().isLive()
                    || entry.get().entry().kind() != dev.mirror.tree.EntryKind.FILE) {
                reply.addFiles(file.setMissing(true));
                continue;
            }
            ChunkList chunks = lists.get(i);
            file.setContentHash(WireHashes.bytes(entry.get().entry().contentHash()));
            budget -= query.getPages() ? pages(chunks, query, budget, file) : refs(chunks, query, budget, file);
            long size = entry.get().entry().size();
            if (query.getContent() && !query.getPages() && !file.getTruncated() && query.getFirst() == 0
                    && size > 0 && size <= MAX_INLINE_BYTES && size <= contentBudget) {
                ByteString content = content(path, entry.get().entry(), arena);
                if (content != null) {
                    file.setContent(content);
                    contentBudget -= content.size();
                }
            }
            reply.addFiles(file);
        }
        return reply.build();
    }

    /**
     * The bytes of the small file at {@code path}, indexed as {@code indexed}, checked as {@link #chunks} checks what
     * it read: null if the file no longer has its indexed size and mtime (the asker then asks for its chunks, which
     * fail the same way, and waits for our next scan). Through {@link UnchangedFiles} where the C library's calls are
     * bound: one descriptor, checked after reading, instead of a channel and a stat of the whole path again; into
     * {@code arena} (null: none) while it has room.
     */
    private ByteString content(TreePath path, Entry indexed, ContentArena arena) {
        Path file = folder.resolve(path.toString());
        int size = (int) indexed.size();
        if (nativeReads) {
            ByteBuffer room = arena == null ? null : arena.take(size);
            if (room != null) {
                return UnchangedFiles.readInto(file, indexed.mtimeNanos(), room) ? UnsafeByteOperations.unsafeWrap(room)
                        : null;
            }
            byte[] data = UnchangedFiles.read(file, size, indexed.mtimeNanos());
            return data == null ? null : UnsafeByteOperations.unsafeWrap(data);
        }
        byte[] data = LocalChunks.read(file, 0, size);
        try {
            return data != null && stillOnDisk(path, indexed) ? UnsafeByteOperations.unsafeWrap(data) : null;
        } catch (IOException e) {
            return null; // unreadable now: as above
        }
    }

    /** Adds the chunks the query asks for, as many as the budget allows (at least one); returns the bytes used. */
    private static int refs(ChunkList chunks, ChunkListQuery query, int budget, FileChunks.Builder file) {
        // A count of 0 asks for the rest of the list; "truncated" then says whether the asked range goes on.
        long end = query.getCount() == 0 ? chunks.count()
                : Math.min(chunks.count(), Integer.toUnsignedLong(query.getFirst()) + query.getCount());
        long first = Integer.toUnsignedLong(query.getFirst());
        int pageEnd = (int) Math.min(end, first + Math.min(CHUNK_LIST_PAGE, Math.max(1, budget / REF_BYTES)));
        for (int i = (int) Math.min(first, pageEnd); i < pageEnd; i++) {
            file.addChunks(ChunkRef.newBuilder().setHash(WireHashes.bytes(chunks.hash(i)))
                    .setLength(chunks.length(i)));
        }
        file.setTruncated(pageEnd < end);
        return (int) Math.max(0, pageEnd - first) * REF_BYTES;
    }

    /** Adds the pages from the first one that starts at or after chunk {@code first}; returns the bytes used. */
    private static int pages(ChunkList chunks, ChunkListQuery query, int budget, FileChunks.Builder file) {
        int room = Math.max(1, budget / PAGE_BYTES);
        int used = 0;
        boolean started = false;
        for (ChunkPages.Page page : ChunkPages.of(chunks)) {
            if (Integer.toUnsignedLong(page.first()) < Integer.toUnsignedLong(query.getFirst())) {
                continue;
            }
            if (!started) {
                file.setFirst(page.first());
                started = true;
            }
            if (used == room) {
                file.setTruncated(true);
                break;
            }
            file.addPages(ChunkPage.newBuilder().setCount(page.count()).setHash(WireHashes.bytes(page.hash())));
            used++;
        }
        return used * PAGE_BYTES;
    }

    ChunkReply chunks(ChunkRequest request) throws IOException {
        List<Read> reads = new ArrayList<>(request.getHashesCount());
        long total = 0;
        try (LocalChunks.Reader files = new LocalChunks.Reader()) {
            for (ByteString wanted : request.getHashesList()) {
                Read read = read(WireHashes.hash(wanted, "chunk hash"), files);
                total += read.data == null ? 0 : read.data.length;
                if (total > MAX_CHUNK_REQUEST_BYTES) {
                    throw new ProtocolException(Failure.Code.PROTOCOL, "a chunk request for more than "
                            + MAX_CHUNK_REQUEST_BYTES + " bytes");
                }
                reads.add(read);
            }
        }
        // Checked after reading, once per file: bytes read from a file whose size and mtime are still the indexed
        // ones are the indexed bytes, unless an edit kept both; the peer's hash check catches that rarer case.
        Map<TreePath, Boolean> unchanged = new HashMap<>();
        ChunkReply.Builder reply = ChunkReply.newBuilder();
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            ChunkData.Builder chunk = ChunkData.newBuilder().setHash(request.getHashes(i));
            boolean good = read.data != null && unchanged.computeIfAbsent(read.file, this::unchangedQuietly);
            // Wrapped, not copied: the array is ours alone, and the encoder copies it once, into the TLS buffer.
            reply.addChunks(good ? chunk.setData(UnsafeByteOperations.unsafeWrap(read.data)) : chunk.setMissing(true));
        }
        return reply.build();
    }

    /**
     * The bytes where the chunk index says chunk {@code hash} is, not yet checked (see {@link #chunks}); no data if
     * no indexed file holds it, or the file is gone or shorter now. Hashing them again here would cost as much as
     * the peer's own check, which every chunk gets anyway.
     */
    private Read read(Hash hash, LocalChunks.Reader files) throws IOException {
        Optional<ChunkLocation> location = index.findChunk(hash);
        if (location.isEmpty()) {
            return new Read(null, null);
        }
        ChunkLocation at = location.get();
        return new Read(at.file(), files.read(folder.resolve(at.file().toString()), at.offset(), at.length()));
    }

    private boolean unchangedQuietly(TreePath path) {
        try {
            return unchanged(path);
        } catch (IOException e) {
            return false; // unreadable now: the peer asks again after our next scan
        }
    }

    /** A chunk's bytes as read from {@code file}; null data if they could not be read. */
    private record Read(TreePath file, byte[] data) {
    }

    /** Whether the file at {@code path} still has the size and mtime its indexed entry says. */
    private boolean unchanged(TreePath path) throws IOException {
        Optional<IndexedEntry> indexed = index.entry(path);
        return indexed.isPresent() && stillOnDisk(path, indexed.get().entry());
    }

    /**
     * Whether the file at {@code path} has the size and mtime of {@code indexed}. The basic attributes, not
     * {@link dev.mirror.scan.FileStats}: they are all this needs, and come without the map of named attributes that
     * a stat by name builds (once per file served).
     */
    private boolean stillOnDisk(TreePath path, Entry indexed) throws IOException {
        try {
            BasicFileAttributes now = Files.readAttributes(folder.resolve(path.toString()),
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return now.isRegularFile() && now.size() == indexed.size()
                    && now.lastModifiedTime().to(TimeUnit.NANOSECONDS) == indexed.mtimeNanos();
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void requireAtMost(int count, int most, String what) throws ProtocolException {
        if (count > most) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a request with " + count + " " + what + " (at most "
                    + most + ")");
        }
    }
}
