package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.FrontToBackWriter;
import dev.mirror.store.StagedFile;
import dev.mirror.tree.ChunkLocation;
import dev.mirror.tree.Entry;
import dev.mirror.tree.TreeIndex;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkRef;
import dev.mirror.wire.proto.FileChunks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Builds files in {@code .mirror/tmp/} from their chunk lists: every chunk that the file's part (what an earlier,
 * interrupted attempt wrote) or an indexed file here already holds is taken from there (a resumed file, a rename or a
 * copy costs no network bytes), the rest comes from the peer through a {@link ChunkFetcher}. Each chunk is verified,
 * and the chunk list must hash to the entry's content hash, so the whole file is verified too: a file the peer
 * changed while sending fails (its chunks go missing) and never mixes old and new bytes. Files are fetched in waves:
 * the two next waves' chunk lists are asked for while this wave is written, and each group of built files is flushed to
 * disk and installed while the next is written ({@link Flusher}: the sink is called on its thread). Used by one
 * thread, the sync engine's writer.
 */
final class Transfer {
    /** Files per wave: bounds the memory for chunk lists, and keeps several list requests in flight. */
    static final int WAVE = 1024;
    /**
     * Files in the first wave: nothing is written before its chunk lists are back, so a small first wave starts the
     * writing (and the chunk requests) sooner; each next wave is four times bigger, up to {@link #WAVE}.
     */
    static final int FIRST_WAVE = 64;
    /**
     * Bytes of small files a wave may ask to come with their chunk lists ({@link #contentAskedFor}): with the two
     * next waves' in flight, the {@link ChunkFetcher#WINDOW_BYTES} that chunk requests may have outstanding.
     */
    static final long WAVE_CONTENT_BYTES = ChunkFetcher.WINDOW_BYTES / 3;
    static final int LISTS_PER_REQUEST = 256;
    /** Built files made durable together with one flush, before any of them is installed. */
    static final int DURABLE_GROUP_FILES = 512;
    static final long DURABLE_GROUP_BYTES = 64L << 20;
    /**
     * Files at least this big whose path holds an older version here get their chunk list by pages
     * ({@link PagedChunkList}): about 1,024 chunks, where the page hashes (1/64 of the list) and one more round trip
     * start to cost less than the records of the pages that did not change.
     */
    static final long PAGED_LIST_BYTES = 64L << 20;

    private final TreeIndex index;
    private final Path folder;
    private final FileInstaller installer;
    private final RemoteTree remote;
    private final ChunkFetcher fetcher;
    /** Jobs whose chunk list was asked for by pages: our older version of the file is at the job's path. */
    private final Set<FileJob> paged = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Chunk lists asked for before the run that needs them ({@link #askAhead}), by the path of the job. */
    private final Map<TreePath, AskedAhead> askedAhead = new HashMap<>();
    /** Bytes of one file written between two early write-backs ({@link Flusher#writeBack}). */
    static final long WRITE_BACK_BYTES = 32L << 20;

    private final FrontToBackWriter.Buffers directBuffers = new FrontToBackWriter.Buffers();
    private final List<Flusher.Built> group = new ArrayList<>();
    private long groupBytes;
    private Flusher flusher;

    Transfer(TreeIndex index, Path folder, FileInstaller installer, RemoteTree remote, ChunkFetcher fetcher) {
        this.index = index;
        this.folder = folder;
        this.installer = installer;
        this.remote = remote;
        this.fetcher = fetcher;
    }

    /**
     * One file to build: the content of {@code entry}, whose chunk list is {@code known} if we hold it already, or
     * else is asked of the peer at {@code sources}, in order (a conflict copy may have moved). Each job is its own
     * piece of work: collections of jobs compare them by identity, which spares hashing the whole entry (its
     * version vector and hashes) at every lookup, three lookups per file.
     */
    record FileJob(TreePath path, Entry entry, List<TreePath> sources, ChunkList known) {
    }

    /** A job's chunk list asked for: the reply it is in, and its place among the reply's files. */
    private record Asked(CompletableFuture<ChunkListReply> reply, int at) {
    }

    /** A chunk list asked for ahead of its run, with the content it was asked for. */
    private record AskedAhead(Asked asked, Entry entry) {
    }

    /** Where each built file goes: installed by the caller, or closed (deleted). */
    interface Sink {
        /**
         * Before a group of files is handed over, one {@link #built} each, in order: a sink may look up what it needs
         * for all of them at once. The group's jobs, in order.
         */
        default void handingOver(List<FileJob> jobs) throws IOException {
        }

        void built(FileJob job, StagedFile file, ChunkList chunks) throws IOException;

        void failed(FileJob job, IOException problem);
    }

    /**
     * Builds every job's file, in order, handing each to {@code sink} once it is sealed and durable.
     *
     * @throws ProtocolException if the peer broke the protocol: the link must close, and the rest is not built
     */
    void run(List<FileJob> jobs, Sink sink) throws IOException, InterruptedException {
        run(jobs, sink, null);
    }

    /**
     * As {@link #run(List, Sink)}, with {@code first} run on the flush thread before any file is handed to the sink,
     * while the writer starts on the files (see {@link Flusher#first}); null: nothing.
     */
    void run(List<FileJob> jobs, Sink sink, Flusher.Task first) throws IOException, InterruptedException {
        flusher = new Flusher(installer, sink);
        if (first != null) {
            flusher.first(first);
        }
        try {
            int size = FIRST_WAVE;
            List<FileJob> wave = wave(jobs, 0, size);
            Map<FileJob, Asked> lists = askLists(wave);
            int taken = wave.size();
            size = Math.min(WAVE, size * 4);
            List<FileJob> next = wave(jobs, taken, size);
            Map<FileJob, Asked> nextLists = askLists(next);
            while (!wave.isEmpty()) {
                taken += next.size();
                size = Math.min(WAVE, size * 4);
                List<FileJob> after = wave(jobs, taken, size);
                Map<FileJob, Plan> plans = plan(wave, lists, sink);
                // In flight with the next wave's while this one is written: with one wave ahead only, the writer
                // waited 0.3-0.5 s in a first mirror of 50,000 files for replies the peer was late with.
                Map<FileJob, Asked> afterLists = askLists(after);
                for (FileJob job : wave) {
                    Plan plan = plans.get(job);
                    if (plan != null) {
                        build(job, plan, sink);
                    }
                    // Here, not in build: a failure installing the last group is not this job's failure.
                    if (group.size() >= DURABLE_GROUP_FILES || groupBytes >= DURABLE_GROUP_BYTES) {
                        flushGroup();
                    }
                }
                wave = next;
                lists = nextLists;
                next = after;
                nextLists = afterLists;
            }
            flushGroup();
            flusher.finish();
        } finally {
            askedAhead.clear(); // lists asked for ahead and not used (decided otherwise) are dropped
            // Cut short: what was built but not handed over is deleted (a part keeps what it has for next time).
            Flusher.discard(group);
            group.clear();
            groupBytes = 0;
            flusher.close();
        }
    }

    /** The jobs from {@code from} on: at most {@code files}, and at most {@link #WAVE_CONTENT_BYTES} of content. */
    private static List<FileJob> wave(List<FileJob> jobs, int from, int files) {
        int end = from;
        for (long content = 0; end < jobs.size() && end - from < files; end++) {
            content += contentAskedFor(jobs.get(end));
            if (content > WAVE_CONTENT_BYTES && end > from) {
                break;
            }
        }
        return jobs.subList(from, end);
    }

    /**
     * Bytes the job's chunk list query asks to come with the list: a small file's, so that it costs no chunk request
     * of its own, unless its list is known here already (then its chunks may all be here, as a rename's are). A copy
     * of a small file we hold elsewhere costs its bytes (at most {@link TreeServer#MAX_INLINE_BYTES}, mostly one
     * chunk), where a chunk request would have cost none: a first mirror of many small files pays a lookup, a
     * request and a reply per file less (docs/protocol.md, "Content with the list").
     */
    private static long contentAskedFor(FileJob job) {
        long size = job.entry().size();
        return job.known() == null && size <= TreeServer.MAX_INLINE_BYTES ? size : 0;
    }

    /** Starts making the group durable ({@link Flusher}); it reaches the sink once it is. */
    private void flushGroup() throws IOException, InterruptedException {
        flusher.flush(group);
        group.clear();
        groupBytes = 0;
    }

    /**
     * Asks now for the chunk lists of the first wave of {@code jobs}, jobs a later {@link #run} is expected to start
     * with: a round may know the files it will fetch first before it has decided everything (a first mirror: every
     * file the peer has and we do not), and the peer then answers while it decides, where the first wave's lists
     * were asked for only when the run began (0.1–0.2 s later, the sender idle meanwhile). A job of the next run with
     * the same path and content takes its list from here; one asked for and not run costs only its reply.
     */
    void askAhead(List<FileJob> jobs) throws IOException {
        // Not a list asked for by pages: that depends on the job, not only on its path and content.
        List<FileJob> first = wave(jobs, 0, FIRST_WAVE).stream()
                .filter(job -> job.entry().size() < PAGED_LIST_BYTES).toList();
        askLists(first).forEach((job, asked) -> askedAhead.put(job.path(), new AskedAhead(asked, job.entry())));
    }

    private Map<FileJob, Asked> askLists(List<FileJob> wave) throws IOException {
        Map<FileJob, Asked> asked = new IdentityHashMap<>();
        List<FileJob> batch = new ArrayList<>();
        long content = 0;
        for (FileJob job : wave) {
            if (job.known() != null) {
                continue;
            }
            AskedAhead ahead = askedAhead.remove(job.path());
            if (ahead != null && ahead.entry().sameContentAs(job.entry())) {
                asked.put(job, ahead.asked());
                continue;
            }
            // A reply carries at most as many bytes of content as a chunk reply: ask for no more in one request.
            if (!batch.isEmpty() && (batch.size() == LISTS_PER_REQUEST
                    || content + contentAskedFor(job) > TreeServer.MAX_CHUNK_REQUEST_BYTES)) {
                askBatch(batch, asked);
                batch = new ArrayList<>();
                content = 0;
            }
            batch.add(job);
            content += contentAskedFor(job);
        }
        if (!batch.isEmpty()) {
            askBatch(batch, asked);
        }
        return asked;
    }

    /** One request for the chunk lists of {@code batch}, whose reply each job is mapped to in {@code asked}. */
    private void askBatch(List<FileJob> batch, Map<FileJob, Asked> asked) throws IOException {
        ChunkListRequest.Builder request = ChunkListRequest.newBuilder();
        for (FileJob job : batch) {
            request.addQueries(firstQuery(job));
        }
        CompletableFuture<ChunkListReply> reply = remote.chunkLists(request.build());
        for (int at = 0; at < batch.size(); at++) {
            asked.put(batch.get(at), new Asked(reply, at));
        }
    }

    /** The chunk list of each job and where each chunk will come from; a job whose list is not to be had fails. */
    private Map<FileJob, Plan> plan(List<FileJob> wave, Map<FileJob, Asked> lists, Sink sink)
            throws IOException, InterruptedException {
        Map<FileJob, Plan> plans = new IdentityHashMap<>();
        // The writer thread's: the last wave is written, so its bytes are no longer needed.
        ContentArena arena = ContentArena.forWaves();
        arena.startOver();
        for (FileJob job : wave) {
            try {
                ChunkList chunks = job.known();
                ByteBuffer content = null;
                if (chunks == null) {
                    Asked asked = lists.get(job);
                    ChunkListReply listed = Replies.await(asked.reply());
                    chunks = chunkList(job, listed, asked.at());
                    content = verifiedContent(job, listed.getFiles(asked.at()), chunks, arena);
                }
                plans.put(job, content != null ? fromContent(chunks, content) : sources(job, chunks));
            } catch (ProtocolException e) {
                throw e;
            } catch (IOException e) {
                sink.failed(job, e);
            }
        }
        return plans;
    }

    /** The job's chunk list from its place in a reply, following pages and other sources as needed. */
    private ChunkList chunkList(FileJob job, ChunkListReply reply, int at) throws IOException, InterruptedException {
        if (at >= reply.getFilesCount()) {
            throw new ProtocolException(dev.mirror.wire.proto.Failure.Code.PROTOCOL,
                    "a chunk list reply with fewer files than asked for");
        }
        FileChunks first = reply.getFiles(at);
        for (int source = 0; ; source++) {
            if (!first.getMissing() && WireHashes.hash(first.getContentHash(), "content hash")
                    .equals(job.entry().contentHash())) {
                return collect(job, first);
            }
            if (source + 1 >= job.sources().size()) {
                throw new ChunkUnavailableException("the peer no longer has " + job.path() + " as it listed it");
            }
            first = single(job.sources().get(source + 1), 0);
        }
    }

    private ChunkList collect(FileJob job, FileChunks page) throws IOException, InterruptedException {
        if (paged.remove(job) && page.getPagesCount() > 0) {
            ChunkList list = new PagedChunkList(remote, page.getPath(), job.entry(),
                    index.params().chunker().minBytes()).rebuild(page, index.chunks(job.path()));
            if (matches(list, job)) {
                return list;
            }
            // Pages are no proof, the content hash is: a lying or buggy peer costs one round trip more.
            page = single(TreePath.of(page.getPath()), 0);
            if (page.getMissing() || !page.getContentHash().equals(WireHashes.bytes(job.entry().contentHash()))) {
                throw new ChunkUnavailableException("the peer changed " + job.path() + " while listing its chunks");
            }
        }
        ChunkList.Builder chunks = new ChunkList.Builder();
        while (true) {
            for (ChunkRef ref : page.getChunksList()) {
                chunks.add(ref.getLength(), WireHashes.hash(ref.getHash(), "chunk hash"));
            }
            if (!page.getTruncated()) {
                break;
            }
            FileChunks more = single(TreePath.of(page.getPath()), page.getFirst() + page.getChunksCount());
            if (more.getMissing() || !more.getContentHash().equals(page.getContentHash())) {
                throw new ChunkUnavailableException("the peer changed " + job.path() + " while listing its chunks");
            }
            page = more;
        }
        ChunkList list = chunks.build();
        // The list must be the one the entry names: then verified chunks make a verified file.
        if (!matches(list, job)) {
            throw new ChunkUnavailableException("the peer's chunk list of " + job.path() + " does not match its entry");
        }
        return list;
    }

    /**
     * The file's bytes if they came with its chunk list and every chunk of them matches its hash; else null, and its
     * chunks are fetched like any other file's (bytes that do not match are discarded, as a wrong chunk is). Copied
     * into {@code arena} first where it has room: the bytes checked are then the very bytes written.
     */
    private ByteBuffer verifiedContent(FileJob job, FileChunks listed, ChunkList chunks, ContentArena arena) {
        // From another source (a conflict copy that moved), the list is of other content than these bytes.
        if (listed.getContent().isEmpty() || !listed.getContentHash().equals(WireHashes.bytes(
                job.entry().contentHash())) || listed.getContent().size() != chunks.totalBytes()) {
            return null;
        }
        // Sliced: the view may start anywhere in the frame's array, and the chunks are cut from it by index below.
        ByteBuffer received = ChunkBytes.view(listed.getContent()).slice();
        ByteBuffer copied = arena.copy(received);
        ByteBuffer content = copied != null ? copied : received;
        int position = 0;
        for (int i = 0; i < chunks.count(); position += chunks.length(i), i++) {
            if (!Hash.sha256(content.slice(position, chunks.length(i))).equals(chunks.hash(i))) {
                return null;
            }
        }
        fetcher.receivedElsewhere(content.remaining());
        return content;
    }

    /**
     * Every chunk from the bytes that came with the list: nothing to look up, nothing to ask for, and nothing a later
     * attempt would resume, so no part (null) to write them into.
     */
    private static Plan fromContent(ChunkList chunks, ByteBuffer content) {
        return new Plan(chunks, null, new boolean[chunks.count()], new ChunkLocation[chunks.count()], content);
    }

    private static boolean matches(ChunkList list, FileJob job) {
        return list.contentHash().equals(job.entry().contentHash()) && list.totalBytes() == job.entry().size();
    }

    private FileChunks single(TreePath path, int first) throws IOException, InterruptedException {
        ChunkListReply reply = Replies.await(remote.chunkLists(ChunkListRequest.newBuilder()
                .addQueries(query(path, first)).build()));
        if (reply.getFilesCount() != 1) {
            throw new ProtocolException(dev.mirror.wire.proto.Failure.Code.PROTOCOL,
                    "a chunk list reply with " + reply.getFilesCount() + " files for one query");
        }
        return reply.getFiles(0);
    }

    /**
     * Where each chunk comes from: the part of an earlier attempt, a local file that holds it, or the peer (announced
     * to the fetcher now).
     */
    private Plan sources(FileJob job, ChunkList chunks) throws IOException {
        Path part = installer.partPath(job.entry().contentHash());
        boolean[] inPart = installer.mayHavePart(job.entry().contentHash()) ? LocalChunks.verified(part, chunks)
                : new boolean[chunks.count()];
        ChunkLocation[] local = new ChunkLocation[chunks.count()];
        for (int i = 0; i < chunks.count(); i++) {
            if (inPart[i]) {
                continue;
            }
            Optional<ChunkLocation> here = index.findChunk(chunks.hash(i));
            if (here.isPresent()) {
                local[i] = here.get();
            } else {
                fetcher.want(chunks.hash(i), chunks.length(i));
            }
        }
        fetcher.fill();
        return new Plan(chunks, part, inPart, local, null);
    }

    private void build(FileJob job, Plan plan, Sink sink) throws IOException, InterruptedException {
        StagedFile staged = null;
        FrontToBackWriter writer = null;
        int next = 0;
        // Chunk `next` is still owed to the fetcher (it was asked for and not taken): from the start, so a failure
        // before the first chunk also gives its place in the window back.
        boolean announced = plan.chunks.count() > 0 && plan.fromPeer(0);
        try {
            staged = plan.part == null ? installer.stage(job.entry().mode())
                    : installer.stagePart(job.entry().contentHash(), job.entry().mode());
            // Another file of the same content may hold the part now: then this one is written whole, elsewhere.
            boolean intoPart = staged.path().equals(plan.part);
            FileChannel out = staged.channel();
            if (intoPart && out.size() > job.entry().size()) {
                out.truncate(job.entry().size());
            }
            writer = FrontToBackWriter.open(out, staged.path(), job.entry().size(), directBuffers);
            long position = 0;
            long writtenBack = 0;
            for (; next < plan.chunks.count(); position += plan.chunks.length(next), next++) {
                if (position - writtenBack >= WRITE_BACK_BYTES) {
                    flusher.writeBack(out);
                    writtenBack = position;
                }
                Hash hash = plan.chunks.hash(next);
                int length = plan.chunks.length(next);
                announced = plan.fromPeer(next);
                // Checked again, not trusted from planning: another file of this content may have used the part since.
                ByteBuffer data = plan.inPart[next] ? LocalChunks.readVerified(plan.part, position, length, hash) : null;
                if (data != null && intoPart) {
                    continue; // already in place
                }
                if (announced) {
                    data = fetcher.take(hash);
                } else if (plan.content != null) {
                    data = plan.content.slice((int) position, length);
                } else if (plan.local[next] != null) {
                    data = LocalChunks.readVerified(folder, plan.local[next]);
                }
                if (data == null) {
                    // The local copy or the part changed since planning: ask the peer after all.
                    fetcher.want(hash, length);
                    announced = true;
                    data = fetcher.take(hash);
                }
                announced = false;
                if (data.remaining() != length) {
                    // Never expected (every source checks the length); a file short of bytes must not be installed.
                    throw new IOException("chunk " + hash + " of " + job.path() + " came with " + data.remaining()
                            + " bytes, not " + length);
                }
                writer.write(data, position);
            }
            writer.finish();
            staged.finishWriting();
            // Sealed here rather than on the flush thread: renaming, recording and flushing keep that one the busier
            // of the two (in a first mirror of 50,000 files the writer waited 0.8 s for it; bench/README.md).
            staged.sealWithoutSync(job.entry().mtimeNanos(), job.entry().mode());
            group.add(new Flusher.Built(job, staged, plan.chunks));
            groupBytes += job.entry().size();
            staged = null;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            for (int i = next + 1; i < plan.chunks.count(); i++) {
                if (plan.fromPeer(i)) {
                    fetcher.drop(plan.chunks.hash(i));
                }
            }
            if (announced) {
                fetcher.drop(plan.chunks.hash(next));
            }
            sink.failed(job, e);
        } finally {
            if (writer != null) {
                writer.close();
            }
            if (staged != null) {
                staged.close();
            }
        }
    }

    /**
     * The query for a job's chunk list: by pages for a big file of which we hold an older version at its path, else
     * the whole list, so a file we hold nothing of costs no extra round trip. (A rename needs no query at all:
     * {@code PullRound} hands over the renamed file's list as known.)
     */
    private ChunkListQuery firstQuery(FileJob job) throws IOException {
        ChunkListQuery query = query(job.sources().get(0), 0);
        if (contentAskedFor(job) > 0) {
            return query.toBuilder().setContent(true).build();
        }
        if (job.entry().size() < PAGED_LIST_BYTES || index.chunks(job.path()).count() == 0) {
            return query;
        }
        paged.add(job);
        return query.toBuilder().setPages(true).build();
    }

    private static ChunkListQuery query(TreePath path, int first) {
        return ChunkListQuery.newBuilder().setPath(path.toString()).setFirst(first).build();
    }

    /**
     * Chunk {@code i} comes from {@code content} if the file's bytes came with its list, else from the part if
     * {@code inPart[i]}, else from {@code local[i]}, else from the peer. {@code part} is where the content's part is
     * or would be made; null when the bytes came with the list: a file staged under a fresh name holds them.
     */
    private record Plan(ChunkList chunks, Path part, boolean[] inPart, ChunkLocation[] local, ByteBuffer content) {
        boolean fromPeer(int i) {
            return content == null && !inPart[i] && local[i] == null;
        }
    }

}
