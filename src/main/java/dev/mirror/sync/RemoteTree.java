package dev.mirror.sync;

import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;

import java.util.concurrent.CompletableFuture;

/**
 * A peer's tree, as far as pulling from it goes: the three requests of docs/protocol.md. Over a link each call is one
 * round trip, and many may be in flight at once.
 */
public interface RemoteTree {
    CompletableFuture<ListReply> list(ListRequest request);

    CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request);

    CompletableFuture<ChunkReply> chunks(ChunkRequest request);
}
