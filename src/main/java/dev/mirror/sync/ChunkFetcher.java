package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkData;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.Failure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Fetches chunks from a peer in the order they will be written, keeping a window of requests in flight so the link
 * stays full while files are written (docs/protocol.md, "Moving content"). Every chunk is checked against its hash
 * when it is taken, before it is written; a bad one is discarded and asked for again, a few times, before the file it
 * belongs to fails. Used by one thread (replies complete on the link's, which only hands them over).
 */
final class ChunkFetcher {
    /**
     * Bytes requested and not yet taken: enough to keep a fast link busy while a file is written and synced (about
     * 50 ms of a 300 MB/s link), and no more. These bytes are on the heap, and every young collection copies the ones
     * still waiting; what does not fit in a survivor space is promoted, and each promotion touches old-generation
     * pages for the first time (page faults: 4 ms per MB promoted here) and fills it with chunks that are dead a
     * moment later. 2 x 1 GiB, 5 paired runs: with 32 MiB the receiver paused 400-700 ms for collections and peaked
     * at 440-520 MiB resident; with 16 MiB, 160-230 ms and 310-340 MiB (and with bin/mirror's larger survivor
     * spaces, 135-155 ms and 260-280 MiB).
     */
    static final long WINDOW_BYTES = 16L << 20;
    /** Bytes asked for in one request: small enough to keep replies flowing, large enough to amortize a frame. */
    static final int REQUEST_BYTES = 1 << 20;
    static final int ATTEMPTS = 3;

    private final RemoteTree remote;
    private final LongConsumer received;
    private final ArrayDeque<Wanted> queue = new ArrayDeque<>();
    private final Map<Hash, InFlight> inFlight = new HashMap<>();
    private long outstandingBytes;

    /** @param received told the size of every verified chunk, for progress and counters */
    ChunkFetcher(RemoteTree remote, LongConsumer received) {
        this.remote = remote;
        this.received = received;
    }

    /** Announces that chunk {@code hash} will be {@linkplain #take taken}, after every chunk announced before it. */
    void want(Hash hash, int length) {
        InFlight flying = inFlight.get(hash);
        if (flying != null) {
            flying.takers++;
            return;
        }
        InFlight fresh = new InFlight(length);
        inFlight.put(hash, fresh);
        queue.add(new Wanted(hash, length));
    }

    /** Gives up one announced {@link #want} of {@code hash} (its file failed): its bytes no longer count. */
    void drop(Hash hash) {
        InFlight flying = inFlight.get(hash);
        if (flying != null && --flying.takers == 0) {
            inFlight.remove(hash);
            if (flying.reply != null) {
                outstandingBytes -= flying.length;
            } else {
                queue.removeIf(wanted -> wanted.hash.equals(hash));
            }
        }
    }

    /**
     * The verified bytes of announced chunk {@code hash}, as a read-only view the caller may consume.
     *
     * @throws ChunkUnavailableException if the peer no longer has it, or sent wrong bytes every time
     */
    ByteBuffer take(Hash hash) throws IOException, InterruptedException {
        InFlight flying = inFlight.get(hash);
        if (flying == null) {
            throw new IllegalStateException("chunk " + hash + " was never announced");
        }
        while (flying.reply == null) {
            if (!sendNext()) {
                throw new IllegalStateException("chunk " + hash + " is not queued");
            }
        }
        Arrived arrived = Replies.await(flying.reply);
        for (int attempt = 1; !arrived.fits(); attempt++) {
            if (attempt >= ATTEMPTS) {
                throw new ChunkUnavailableException("the peer sent wrong bytes for chunk " + hash + " " + ATTEMPTS
                        + " times");
            }
            arrived = Replies.await(request(List.of(new Wanted(hash, flying.length))).get(0));
        }
        // A view of its own for each taker: several files of one content take the same arrival, and writing one
        // view consumes it.
        ByteBuffer data = arrived.data().asReadOnlyBuffer();
        if (--flying.takers == 0) {
            inFlight.remove(hash);
            outstandingBytes -= flying.length;
            // Cut loose at once: by now this InFlight is often in the old generation (all of a big file's chunks
            // are announced up front), and a young collection keeps whatever a dead old object still points to.
            // Left set, every chunk's bytes were copied into the old generation and stayed there until a full
            // collection: most of the receiver's GC work, and fresh heap pages to fault in all along.
            flying.reply = null;
        }
        received.accept(data.remaining());
        fill();
        return data;
    }

    /** Counts {@code bytes} of verified chunks that came another way (with their file's chunk list) as received. */
    void receivedElsewhere(long bytes) {
        received.accept(bytes);
    }

    /** Sends requests for queued chunks while the window has room. */
    void fill() {
        while (outstandingBytes < WINDOW_BYTES && sendNext()) {
            // sendNext did the work
        }
    }

    /** Sends one request for the next queued chunks; false if nothing is queued. */
    private boolean sendNext() {
        if (queue.isEmpty()) {
            return false;
        }
        List<Wanted> batch = new ArrayList<>();
        long bytes = 0;
        while (!queue.isEmpty() && (batch.isEmpty() || bytes + queue.peek().length <= REQUEST_BYTES)) {
            Wanted next = queue.poll();
            batch.add(next);
            bytes += next.length;
        }
        List<CompletableFuture<Arrived>> replies = request(batch);
        for (int i = 0; i < batch.size(); i++) {
            inFlight.get(batch.get(i).hash).reply = replies.get(i);
        }
        outstandingBytes += bytes;
        return true;
    }

    /** One request for {@code batch}; a future per chunk, failed if the peer no longer has it. */
    private List<CompletableFuture<Arrived>> request(List<Wanted> batch) {
        ChunkRequest.Builder request = ChunkRequest.newBuilder();
        List<CompletableFuture<Arrived>> futures = new ArrayList<>();
        for (Wanted wanted : batch) {
            request.addHashes(WireHashes.bytes(wanted.hash));
            futures.add(new CompletableFuture<>());
        }
        // Completed on the thread the reply arrives on (the link's), but not hashed there: see Arrived.
        remote.chunks(request.build()).whenComplete((reply, error) -> {
            for (int i = 0; i < futures.size(); i++) {
                if (error != null) {
                    futures.get(i).completeExceptionally(error);
                } else {
                    complete(futures.get(i), batch.get(i), reply, i);
                }
            }
        });
        return futures;
    }

    private static void complete(CompletableFuture<Arrived> future, Wanted wanted, ChunkReply reply, int i) {
        Hash hash = wanted.hash;
        if (i >= reply.getChunksCount() || !reply.getChunks(i).getHash().equals(WireHashes.bytes(hash))) {
            future.completeExceptionally(new ProtocolException(Failure.Code.PROTOCOL,
                    "a chunk reply that does not match its request"));
            return;
        }
        ChunkData chunk = reply.getChunks(i);
        if (chunk.getMissing()) {
            future.completeExceptionally(new ChunkUnavailableException("the peer no longer has chunk " + hash));
        } else {
            ByteBuffer data = ChunkBytes.view(chunk.getData());
            future.complete(new Arrived(data, wanted));
        }
    }

    /**
     * A chunk's bytes as the peer sent them, checked against its length and hash by the first {@link #take}, on the
     * writer thread, just before they are written. Hashing on arrival made the link's thread, which also reads the
     * socket, decrypts and parses, the one a big file waited for; on the writer the bytes are hashed while they are
     * in the cache anyway. 2 x 1 GiB, paired runs: 8.4-8.7 s -> 7.1-7.8 s, with less CPU; 50,000 small files no
     * slower.
     */
    private static final class Arrived {
        private final ByteBuffer data;
        private final Wanted wanted;
        private Boolean fits;

        Arrived(ByteBuffer data, Wanted wanted) {
            this.data = data;
            this.wanted = wanted;
        }

        ByteBuffer data() {
            return data;
        }

        /** Whether the bytes are the chunk (its length, its hash); computed once, on the taking thread. */
        boolean fits() {
            if (fits == null) {
                fits = data.remaining() == wanted.length && Hash.sha256(data).equals(wanted.hash);
            }
            return fits;
        }
    }

    private record Wanted(Hash hash, int length) {
    }

    private static final class InFlight {
        final int length;
        int takers = 1;
        CompletableFuture<Arrived> reply;

        InFlight(int length) {
            this.length = length;
        }
    }
}
