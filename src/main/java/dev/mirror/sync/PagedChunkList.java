package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.tree.Entry;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkPage;
import dev.mirror.wire.proto.ChunkRef;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.FileChunks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Rebuilds a peer's chunk list of a big file from the page hashes it sent (docs/protocol.md, "Moving content"): pages
 * whose hash we hold in an older local version of the file are copied from it, and only the chunk records of the
 * other pages are asked for, in as few requests as fit a reply. Everything the peer sends is bounded and checked
 * here; whether the result is the file's list is not: the caller checks it against the entry's content hash, which
 * a lying page hash therefore cannot pass. Used by one thread.
 */
final class PagedChunkList {
    /** Most chunk records asked for in one request: fits one reply ({@link TreeServer#CHUNK_LIST_PAGE}). */
    static final int CHUNKS_PER_REQUEST = TreeServer.CHUNK_LIST_PAGE;

    private final RemoteTree remote;
    private final String path;
    private final Entry entry;
    private final Hash contentHash;
    private final long maxChunks;

    /**
     * @param minChunkBytes no chunk but a file's last is shorter: bounds how many chunks a file of the entry's size
     *                      can have, so a peer cannot make us hold more records than the file could
     */
    PagedChunkList(RemoteTree remote, String path, Entry entry, int minChunkBytes) {
        this.remote = remote;
        this.path = path;
        this.entry = entry;
        this.contentHash = entry.contentHash();
        this.maxChunks = Math.min(Integer.MAX_VALUE, entry.size() / minChunkBytes + 1);
    }

    /** The peer's list, from its reply to a page query and our {@code older} list of the file. */
    ChunkList rebuild(FileChunks reply, ChunkList older) throws IOException, InterruptedException {
        List<ChunkPages.Page> pages = pages(reply);
        Map<Hash, ChunkPages.Page> held = new HashMap<>();
        for (ChunkPages.Page page : ChunkPages.of(older)) {
            held.putIfAbsent(page.hash(), page);
        }
        List<Range> missing = new ArrayList<>();
        for (ChunkPages.Page page : pages) {
            ChunkPages.Page local = held.get(page.hash());
            if (local == null || local.count() != page.count()) {
                Range last = missing.isEmpty() ? null : missing.get(missing.size() - 1);
                if (last != null && last.end() == page.first() && last.count + page.count() <= CHUNKS_PER_REQUEST) {
                    missing.set(missing.size() - 1, new Range(last.first, last.count + page.count()));
                } else {
                    missing.add(new Range(page.first(), page.count()));
                }
            }
        }
        Iterator<ChunkRef> fetched = fetch(missing).iterator();
        ChunkList.Builder list = new ChunkList.Builder();
        for (ChunkPages.Page page : pages) {
            ChunkPages.Page local = held.get(page.hash());
            if (local != null && local.count() == page.count()) {
                list.addRange(older, local.first(), page.count());
                continue;
            }
            for (int i = 0; i < page.count(); i++) { // the ranges hold exactly the missing pages' records, in order
                ChunkRef ref = fetched.next();
                if (ref.getLength() <= 0 || list.totalBytes() + ref.getLength() > entry.size()) {
                    throw new ChunkUnavailableException("the peer's chunks of " + path + " exceed its size");
                }
                list.add(ref.getLength(), WireHashes.hash(ref.getHash(), "chunk hash"));
            }
        }
        return list.build();
    }

    /** Every page, following a truncated reply; checks that each is possible and that they fit the file. */
    private List<ChunkPages.Page> pages(FileChunks reply) throws IOException, InterruptedException {
        List<ChunkPages.Page> pages = new ArrayList<>();
        long next = 0;
        while (true) {
            if (Integer.toUnsignedLong(reply.getFirst()) != next) {
                throw protocol("pages of " + path + " from chunk " + Integer.toUnsignedLong(reply.getFirst())
                        + ", asked from " + next);
            }
            for (ChunkPage page : reply.getPagesList()) {
                if (page.getCount() < 1 || page.getCount() > ChunkPages.MAX_CHUNKS) {
                    throw protocol("a page of " + Integer.toUnsignedLong(page.getCount()) + " chunks in " + path);
                }
                if (next + page.getCount() > maxChunks) {
                    throw protocol("pages of more chunks than " + entry.size() + " bytes can hold in " + path);
                }
                pages.add(new ChunkPages.Page((int) next, page.getCount(), WireHashes.hash(page.getHash(),
                        "page hash")));
                next += page.getCount();
            }
            if (!reply.getTruncated()) {
                return pages;
            }
            if (reply.getPagesCount() == 0) {
                throw protocol("a truncated page list of " + path + " without a page");
            }
            reply = one(query((int) next, 0).setPages(true).build());
        }
    }

    /** The chunk records of every range, in order; all requests are in flight at once. */
    private List<ChunkRef> fetch(List<Range> ranges) throws IOException, InterruptedException {
        List<List<Range>> batches = new ArrayList<>();
        List<CompletableFuture<ChunkListReply>> replies = new ArrayList<>();
        int at = 0;
        while (at < ranges.size()) {
            ChunkListRequest.Builder request = ChunkListRequest.newBuilder();
            List<Range> batch = new ArrayList<>();
            int chunks = 0;
            while (at < ranges.size() && (batch.isEmpty() || chunks + ranges.get(at).count <= CHUNKS_PER_REQUEST)) {
                Range range = ranges.get(at++);
                request.addQueries(query(range.first, range.count));
                batch.add(range);
                chunks += range.count;
            }
            batches.add(batch);
            replies.add(remote.chunkLists(request.build()));
        }
        List<ChunkRef> fetched = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            ChunkListReply reply = Replies.await(replies.get(b));
            List<Range> batch = batches.get(b);
            if (reply.getFilesCount() != batch.size()) {
                throw protocol("a chunk list reply with " + reply.getFilesCount() + " files for " + batch.size()
                        + " queries");
            }
            for (int i = 0; i < batch.size(); i++) {
                fetched.addAll(refs(batch.get(i), reply.getFiles(i)));
            }
        }
        return fetched;
    }

    /** Exactly the range's records, following a reply cut short by its budget. */
    private List<ChunkRef> refs(Range range, FileChunks reply) throws IOException, InterruptedException {
        List<ChunkRef> refs = new ArrayList<>(range.count);
        while (true) {
            check(reply);
            if (Integer.toUnsignedLong(reply.getFirst()) != range.first + refs.size()) {
                throw protocol("chunks of " + path + " from chunk " + Integer.toUnsignedLong(reply.getFirst())
                        + ", asked from " + (range.first + refs.size()));
            }
            if (refs.size() + reply.getChunksCount() > range.count) {
                throw protocol("more chunks of " + path + " than asked for");
            }
            refs.addAll(reply.getChunksList());
            if (refs.size() == range.count) {
                return refs;
            }
            if (!reply.getTruncated() || reply.getChunksCount() == 0) {
                throw protocol("fewer chunks of " + path + " than its pages hold");
            }
            reply = one(query(range.first + refs.size(), range.count - refs.size()).build());
        }
    }

    /** The reply is about the same content we are rebuilding: else the peer changed the file meanwhile. */
    private void check(FileChunks reply) throws IOException {
        if (reply.getMissing() || !WireHashes.hash(reply.getContentHash(), "content hash").equals(contentHash)) {
            throw new ChunkUnavailableException("the peer changed " + path + " while listing its chunks");
        }
    }

    private FileChunks one(ChunkListQuery query) throws IOException, InterruptedException {
        ChunkListReply reply = Replies.await(remote.chunkLists(ChunkListRequest.newBuilder().addQueries(query)
                .build()));
        if (reply.getFilesCount() != 1) {
            throw protocol("a chunk list reply with " + reply.getFilesCount() + " files for one query");
        }
        check(reply.getFiles(0));
        return reply.getFiles(0);
    }

    private ChunkListQuery.Builder query(int first, int count) {
        return ChunkListQuery.newBuilder().setPath(path).setFirst(first).setCount(count);
    }

    private static ProtocolException protocol(String message) {
        return new ProtocolException(Failure.Code.PROTOCOL, message);
    }

    /** Chunks {@code first} to {@code first + count - 1}, asked for together. */
    private record Range(int first, int count) {
        int end() {
            return first + count;
        }
    }
}
