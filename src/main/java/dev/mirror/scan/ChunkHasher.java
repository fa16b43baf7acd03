package dev.mirror.scan;

import dev.mirror.core.Hash;
import dev.mirror.core.NamedThreadFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Reads a channel to its end, cuts it into chunks with a {@link Chunker} and hands each chunk with its SHA-256 to a
 * {@link ChunkConsumer}, in order. Chunk bytes are hashed in place in the read buffer, never copied out; a chunk
 * that runs past the buffered bytes is carried to the front of the next buffer and the rest read after it.
 *
 * <p>An input longer than one buffer is hashed behind the cutting: while this thread reads and cuts one buffer, a
 * helper thread hashes the chunks of the one before (two buffers, used in turn). Cutting and hashing cost about the
 * same (FastCDC 1.2 GB/s in C1's code, SHA-256 1.6 GB/s), so a big file changed alone (a disk image, a video being
 * edited) is read at nearly the speed of the slower of the two instead of their sum. An input that fits in one
 * buffer, most files, is hashed here: a hand-over would cost more than it saves; so is every input while other reads
 * keep the cores busy.
 *
 * <p>Not thread-safe: it owns its buffers, so each hashing thread (e.g. {@code mirror-hash-N}) keeps its own
 * instance and reuses it for every file. An instance stays usable after a read that failed.
 */
public final class ChunkHasher {
    /** 4 MiB: reads large enough for the disk, and a chunk crossing a refill (at most maxBytes) is a rare copy. */
    public static final int DEFAULT_BUFFER_BYTES = 4 << 20;
    /** Threads that hash a buffer's chunks behind the cutting; made when needed, gone after a minute idle. */
    private static final ExecutorService BEHIND = Executors.newCachedThreadPool(
            new NamedThreadFactory("mirror-hash-behind"));

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Reads under way in this JVM, on all instances. */
    private static final AtomicInteger READING = new AtomicInteger();

    private final BooleanSupplier hashBehind;
    private final Chunker chunker;
    private final int maxChunkBytes;
    private final byte[] buffer;
    /** The buffer used in turn with {@link #buffer} for an input longer than one; made at the first such input. */
    private byte[] second;

    public ChunkHasher(Chunker chunker) {
        this(chunker, DEFAULT_BUFFER_BYTES);
    }

    /** @param bufferBytes at least the chunker's maxBytes, so a whole chunk always fits */
    public ChunkHasher(Chunker chunker, int bufferBytes) {
        this(chunker, bufferBytes, ChunkHasher::aCoreToSpare);
    }

    /** @param hashBehind asked at each buffer but the last: whether to hash it behind (tests force it) */
    ChunkHasher(Chunker chunker, int bufferBytes, BooleanSupplier hashBehind) {
        this.hashBehind = hashBehind;
        this.chunker = Objects.requireNonNull(chunker, "chunker");
        this.maxChunkBytes = chunker.params().maxBytes();
        if (bufferBytes < maxChunkBytes) {
            throw new IllegalArgumentException("ChunkHasher bufferBytes must be at least the chunker's maxBytes ("
                    + maxChunkBytes + "), not " + bufferBytes);
        }
        this.buffer = new byte[bufferBytes];
    }

    /**
     * Reads {@code in} from its current position to its end and passes every chunk to {@code consumer}, in order,
     * with offsets counted from where reading started. An empty channel gives no chunks. Does not close {@code in}.
     *
     * <p>Checks the thread's interrupt flag before each read and before handing over each chunk, and if set throws
     * {@link InterruptedIOException} with the flag left set. An interrupt that arrives while blocked in a read of an
     * interruptible channel (such as a {@code FileChannel}) instead makes the JDK close that channel and throw
     * {@code ClosedByInterruptException}; either way the caller sees an {@code IOException} and the flag stays set.
     *
     * @return the number of bytes read, which is the sum of the chunk lengths
     * @throws IOException              if reading fails, the thread is interrupted, or the consumer throws
     * @throws IllegalArgumentException if {@code in} is a non-blocking channel (a read of 0 bytes would spin)
     */
    public long read(ReadableByteChannel in, ChunkConsumer consumer) throws IOException {
        if (in instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            throw new IllegalArgumentException("ChunkHasher needs a blocking channel, got a non-blocking " + in);
        }
        Delivery delivery = new Delivery(consumer);
        byte[] current = buffer;
        int carried = 0;
        Cuts behind = null;
        Future<Hash[]> hashing = null;
        READING.incrementAndGet();
        try {
            while (true) {
                // Checked before any read too, so a thread interrupted before it starts does not close the
                // caller's interruptible channel.
                delivery.checkInterrupt();
                int end = fill(in, current, carried);
                boolean endOfInput = end < current.length;
                Cuts cuts = cut(current, end, endOfInput);
                if (behind != null) {
                    delivery.deliver(behind, await(hashing));
                    behind = null;
                    hashing = null;
                }
                byte[] next = current;
                if (endOfInput || !hashBehind.getAsBoolean()) {
                    delivery.deliver(cuts, cuts.hash());
                    if (endOfInput) {
                        return delivery.offset;
                    }
                } else {
                    behind = cuts;
                    hashing = BEHIND.submit(cuts::hash);
                    // The other buffer's chunks were handed over above, so it is free to fill.
                    next = current == buffer ? secondBuffer() : buffer;
                }
                // The bytes not cut yet (under maxBytes) go to the front, and the next read fills up after them.
                carried = end - cuts.consumed;
                System.arraycopy(current, cuts.consumed, next, 0, carried);
                current = next;
            }
        } finally {
            READING.decrementAndGet();
            if (hashing != null) {
                finishQuietly(hashing);
            }
        }
    }

    /**
     * Whether hashing behind would use a core that is otherwise idle: not when other reads already keep the cores
     * busy (a scan of many files reads on every core; two helpers more would only add hand-overs and cache misses:
     * a scan of 2 x 1 GiB took 2.75-2.85 s with them against 2.44-2.52 s without).
     */
    private static boolean aCoreToSpare() {
        return READING.get() * 2 <= CORES;
    }

    /**
     * The chunks of {@code data[0..end)} that can be cut now: all of them at the end of input, else those that start
     * with at least maxBytes ahead of them (the chunker needs that much to decide).
     */
    private Cuts cut(byte[] data, int end, boolean endOfInput) {
        Cuts cuts = new Cuts(data);
        int start = 0;
        while (start < end && (endOfInput || end - start >= maxChunkBytes)) {
            int length = chunker.nextCut(data, start, end, endOfInput);
            cuts.add(length);
            start += length;
        }
        cuts.consumed = start;
        return cuts;
    }

    private byte[] secondBuffer() {
        if (second == null) {
            second = new byte[buffer.length];
        }
        return second;
    }

    /** The hashes of a batch hashed behind; an interrupt while waiting is the reader's, as in a read. */
    private static Hash[] await(Future<Hash[]> hashing) throws IOException {
        try {
            return hashing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("chunking interrupted while hashing");
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing chunks failed", e.getCause());
        }
    }

    /**
     * Waits out a batch still being hashed after a read failed, so that it is not reading a buffer the next read
     * of this instance fills. Hashing a buffer takes milliseconds; an interrupt meanwhile is kept for the caller.
     */
    private static void finishQuietly(Future<Hash[]> hashing) {
        boolean interrupted = false;
        while (!hashing.isDone()) {
            try {
                hashing.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads into {@code into[end..)} until it is full or the channel ends; returns the new end. So a result short of
     * the buffer's length means end of input.
     */
    private static int fill(ReadableByteChannel in, byte[] into, int end) throws IOException {
        ByteBuffer window = ByteBuffer.wrap(into).position(end);
        while (window.hasRemaining()) {
            if (in.read(window) < 0) {
                break;
            }
        }
        return window.position();
    }

    /** The chunks cut from the front of one buffer, in order: their lengths, and then their hashes. */
    private static final class Cuts {
        private final byte[] data;
        private int[] lengths = new int[64];
        private int count;
        /** How many bytes from the front the chunks cover. */
        private int consumed;

        Cuts(byte[] data) {
            this.data = data;
        }

        void add(int length) {
            if (count == lengths.length) {
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            lengths[count++] = length;
        }

        /** The SHA-256 of each chunk, on whichever thread calls it. */
        Hash[] hash() {
            Hash[] hashes = new Hash[count];
            int at = 0;
            for (int i = 0; i < count; i++) {
                hashes[i] = Hash.sha256(data, at, lengths[i]);
                at += lengths[i];
            }
            return hashes;
        }
    }

    /** Hands chunks to the consumer in order, counting their offsets, and stops at an interrupt. */
    private static final class Delivery {
        private final ChunkConsumer consumer;
        private long offset;

        Delivery(ChunkConsumer consumer) {
            this.consumer = consumer;
        }

        void deliver(Cuts cuts, Hash[] hashes) throws IOException {
            for (int i = 0; i < cuts.count; i++) {
                checkInterrupt();
                consumer.accept(new Chunk(offset, cuts.lengths[i], hashes[i]));
                offset += cuts.lengths[i];
            }
        }

        void checkInterrupt() throws InterruptedIOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("chunking interrupted after " + offset + " bytes");
            }
        }
    }

    /** Receives chunks in file order; may throw to stop the read, which then throws the same exception. */
    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(Chunk chunk) throws IOException;
    }
}
