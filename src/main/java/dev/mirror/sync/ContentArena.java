package dev.mirror.sync;

import java.nio.ByteBuffer;

/**
 * Native memory that small files pass through on their way between a frame and the disk, so that no array is
 * allocated, zeroed and copied for each, and the hash and the system calls read them where they are. Both ends of a
 * first mirror of 50,000 small files move 1.6 GB this way:
 * <ul>
 *   <li>a writer thread copies a wave's files once out of the frames they arrived in, then hashes and writes each
 *   from here ({@link #forWaves}): from the heap, the digest's copy into native memory and the JDK's into a
 *   temporary direct buffer before every {@code pwrite} took ~0.3 CPU-s of the writer;</li>
 *   <li>a serving thread reads the files of one chunk list reply into it ({@link #forReplies}), and the reply is
 *   encoded from here before the thread serves the next request.</li>
 * </ul>
 *
 * <p>Holds one wave or one reply at a time: {@link #startOver} makes every slice handed out before it invalid, so
 * the caller starts over only once those bytes are written. One of each kind per thread, made on first use and kept:
 * a thread that moves small files once will again. Not thread-safe.
 */
final class ContentArena {
    /** A writer's: one wave's small files (plus one over, as a wave may end with one). */
    static final int WAVE_BYTES = (int) Transfer.WAVE_CONTENT_BYTES + TreeServer.MAX_INLINE_BYTES;
    /** A serving thread's: the small files one chunk list reply may carry. */
    static final int REPLY_BYTES = TreeServer.MAX_CHUNK_REQUEST_BYTES;
    private static final ThreadLocal<ContentArena> FOR_WAVES = ThreadLocal.withInitial(
            () -> new ContentArena(WAVE_BYTES));
    private static final ThreadLocal<ContentArena> FOR_REPLIES = ThreadLocal.withInitial(
            () -> new ContentArena(REPLY_BYTES));

    private final int bytes;
    private ByteBuffer memory;
    private int used;

    ContentArena(int bytes) {
        this.bytes = bytes;
    }

    /** The calling thread's arena for the small files of a wave it writes. */
    static ContentArena forWaves() {
        return FOR_WAVES.get();
    }

    /** The calling thread's arena for the small files of a reply it serves. */
    static ContentArena forReplies() {
        return FOR_REPLIES.get();
    }

    /** Forgets what it holds: the slices handed out so far may be overwritten from here on. */
    void startOver() {
        used = 0;
    }

    /**
     * {@code length} bytes of it for the caller to fill (position 0, limit {@code length}), valid until the next
     * {@link #startOver}; or null if it has no more room, and the caller keeps its bytes elsewhere.
     */
    ByteBuffer take(int length) {
        if (length > bytes - used) {
            return null;
        }
        if (memory == null) {
            memory = ByteBuffer.allocateDirect(bytes);
        }
        ByteBuffer slice = memory.slice(used, length);
        used += length;
        return slice;
    }

    /** A copy of {@code bytes} (its remaining ones; its position is left alone) as {@link #take} gives, or null. */
    ByteBuffer copy(ByteBuffer bytes) {
        ByteBuffer copy = take(bytes.remaining());
        return copy == null ? null : copy.put(bytes.duplicate()).flip();
    }
}
