package dev.mirror.sync;

import dev.mirror.wire.Link;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;

import java.util.concurrent.CompletableFuture;

/** The tree of the peer at the other end of a {@link Link}. */
public final class LinkedTree implements RemoteTree {
    private final Link link;

    public LinkedTree(Link link) {
        this.link = link;
    }

    @Override
    public CompletableFuture<ListReply> list(ListRequest request) {
        return link.request(Frame.newBuilder().setListRequest(request)).thenApply(Frame::getListReply);
    }

    @Override
    public CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request) {
        return link.request(Frame.newBuilder().setChunkListRequest(request)).thenApply(Frame::getChunkListReply);
    }

    @Override
    public CompletableFuture<ChunkReply> chunks(ChunkRequest request) {
        return link.request(Frame.newBuilder().setChunkRequest(request)).thenApply(Frame::getChunkReply);
    }
}
