package dev.mirror.sync;

import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A peer's tree without a network: each request goes straight to its {@link TreeServer}, through the same protobuf
 * messages a link carries. Counts requests (and list requests, the entries their replies carry, and the bytes of chunk
 * lists), and lets a test tamper with chunk replies.
 */
final class ServedTree implements RemoteTree {
    private final TreeServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger listRequests = new AtomicInteger();
    private final AtomicLong listedEntries = new AtomicLong();
    private final AtomicLong chunkListBytes = new AtomicLong();
    private final AtomicInteger chunkRequests = new AtomicInteger();
    private final AtomicLong mostContentInAReply = new AtomicLong();
    private volatile UnaryOperator<ChunkReply> chunkTamper = UnaryOperator.identity();
    private volatile UnaryOperator<ChunkListReply> listTamper = UnaryOperator.identity();

    ServedTree(TreeServer server) {
        this.server = server;
    }

    int requests() {
        return requests.get();
    }

    /** List requests so far: what a descent costs. */
    int listRequests() {
        return listRequests.get();
    }

    /** Entries carried by every list reply so far: how much of the peer's tree a descent had to read. */
    long listedEntries() {
        return listedEntries.get();
    }

    /** Bytes of every chunk list request and reply so far, as protobuf: what learning chunk lists cost the link. */
    long chunkListBytes() {
        return chunkListBytes.get();
    }

    /** Chunk requests so far: what fetching content cost beyond the chunk lists. */
    int chunkRequests() {
        return chunkRequests.get();
    }

    /** The most bytes of file content one chunk list reply carried so far. */
    long mostContentInAReply() {
        return mostContentInAReply.get();
    }

    void tamperWithChunks(UnaryOperator<ChunkReply> tamper) {
        chunkTamper = tamper;
    }

    /** Rewrites chunk list replies on their way, as the content that comes with them, for one. */
    void tamperWithLists(UnaryOperator<ChunkListReply> tamper) {
        listTamper = tamper;
    }

    @Override
    public CompletableFuture<ListReply> list(ListRequest request) {
        listRequests.incrementAndGet();
        return ask(Frame.newBuilder().setListRequest(request).build()).thenApply(frame -> {
            ListReply reply = frame.getListReply();
            reply.getListingsList().forEach(listing -> listedEntries.addAndGet(listing.getEntriesCount()));
            return reply;
        });
    }

    @Override
    public CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request) {
        chunkListBytes.addAndGet(request.getSerializedSize());
        return ask(Frame.newBuilder().setChunkListRequest(request).build()).thenApply(frame -> {
            ChunkListReply reply = frame.getChunkListReply();
            chunkListBytes.addAndGet(reply.getSerializedSize());
            long content = reply.getFilesList().stream().mapToLong(file -> file.getContent().size()).sum();
            mostContentInAReply.accumulateAndGet(content, Math::max);
            return listTamper.apply(reply);
        });
    }

    @Override
    public CompletableFuture<ChunkReply> chunks(ChunkRequest request) {
        chunkRequests.incrementAndGet();
        return ask(Frame.newBuilder().setChunkRequest(request).build())
                .thenApply(frame -> chunkTamper.apply(frame.getChunkReply()));
    }

    private CompletableFuture<Frame> ask(Frame request) {
        requests.incrementAndGet();
        try {
            return CompletableFuture.completedFuture(server.answer(request));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
