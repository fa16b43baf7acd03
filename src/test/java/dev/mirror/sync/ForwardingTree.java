package dev.mirror.sync;

import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;

import java.util.concurrent.CompletableFuture;

/** A peer's tree passed through to {@code served}: a test overrides the one request it watches or changes. */
class ForwardingTree implements RemoteTree {
    private final RemoteTree served;

    ForwardingTree(RemoteTree served) {
        this.served = served;
    }

    @Override
    public CompletableFuture<ListReply> list(ListRequest request) {
        return served.list(request);
    }

    @Override
    public CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request) {
        return served.chunkLists(request);
    }

    @Override
    public CompletableFuture<ChunkReply> chunks(ChunkRequest request) {
        return served.chunks(request);
    }
}
