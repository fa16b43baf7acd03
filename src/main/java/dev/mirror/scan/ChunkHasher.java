package dev.mirror.scan;

import dev.mirror.core.Hash;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Reads a channel to its end, cuts it into chunks with a {@link Chunker} and hands each chunk with its SHA-256 to a
 * {@link ChunkConsumer}, in order. Chunk bytes are hashed in place in one reused buffer, never copied out; a chunk
 * that runs past the buffered bytes is moved to the front of the buffer and the rest read after it.
 *
 * <p>Not thread-safe: it owns a buffer and a digest, so each hashing thread (e.g. {@code mirror-hash-N}) keeps its
 * own instance and reuses it for every file. An instance stays usable after a read that failed.
 */
public final class ChunkHasher {
    /** 4 MiB: reads large enough for the disk, and a chunk crossing a refill (at most maxBytes) is a rare copy. */
    public static final int DEFAULT_BUFFER_BYTES = 4 << 20;

    private final Chunker chunker;
    private final int maxChunkBytes;
    private final byte[] buffer;
    /** A view of {@link #buffer} for channel reads: reading into a heap buffer lets us hash the byte[] directly. */
    private final ByteBuffer window;
    private final MessageDigest digest = Hash.newDigest();

    public ChunkHasher(Chunker chunker) {
        this(chunker, DEFAULT_BUFFER_BYTES);
    }

    /** @param bufferBytes at least the chunker's maxBytes, so a whole chunk always fits */
    public ChunkHasher(Chunker chunker, int bufferBytes) {
        this.chunker = Objects.requireNonNull(chunker, "chunker");
        this.maxChunkBytes = chunker.params().maxBytes();
        if (bufferBytes < maxChunkBytes) {
            throw new IllegalArgumentException("ChunkHasher bufferBytes must be at least the chunker's maxBytes ("
                    + maxChunkBytes + "), not " + bufferBytes);
        }
        this.buffer = new byte[bufferBytes];
        this.window = ByteBuffer.wrap(buffer);
    }

    /**
     * Reads {@code in} from its current position to its end and passes every chunk to {@code consumer}, in order,
     * with offsets counted from where reading started. An empty channel gives no chunks. Does not close {@code in}.
     *
     * <p>Checks the thread's interrupt flag before each chunk (and so before the first read) and, if set, throws
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
        // Defensive: a read that failed between update and finish must not leak bytes into the next file's hash.
        digest.reset();
        long offset = 0;
        int start = 0;
        int end = 0;
        boolean endOfInput = false;
        while (true) {
            // Checked before any read too, so a thread interrupted before it starts does not close the caller's
            // interruptible channel.
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("chunking interrupted after " + offset + " bytes");
            }
            if (!endOfInput && end - start < maxChunkBytes) {
                // The chunker needs maxBytes ahead of start unless the input ends sooner: move the unconsumed tail
                // (under maxBytes, so a small copy per refill of a 4 MiB buffer) to the front and fill up.
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
                end = fill(in, end);
                endOfInput = end < buffer.length;
            }
            if (start == end) {
                return offset;
            }
            int length = chunker.nextCut(buffer, start, end, endOfInput);
            digest.update(buffer, start, length);
            consumer.accept(new Chunk(offset, length, Hash.finish(digest)));
            offset += length;
            start += length;
        }
    }

    /**
     * Reads into {@code buffer[end..)} until it is full or the channel ends; returns the new end. So a result short
     * of the buffer's length means end of input.
     */
    private int fill(ReadableByteChannel in, int end) throws IOException {
        window.limit(buffer.length).position(end);
        while (window.hasRemaining()) {
            if (in.read(window) < 0) {
                break;
            }
        }
        return window.position();
    }

    /** Receives chunks in file order; may throw to stop the read, which then throws the same exception. */
    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(Chunk chunk) throws IOException;
    }
}
