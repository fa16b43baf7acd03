package dev.mirror.sync;

import java.nio.ByteBuffer;

/**
 * Native memory that a wave's small files are copied into from the frames they arrived in, once, before they are
 * checked and written: the hash then reads them where they are, and so does {@code pwrite}. From the heap each took a
 * copy of its own (the digest's into native memory, the JDK's into a temporary direct buffer before every write to a
 * file): 1.6 GB copied twice over in a first mirror of 50,000 small files, ~0.3 CPU-s of the writer thread.
 *
 * <p>Holds one wave at a time ({@link Transfer#WAVE_CONTENT_BYTES}, plus one file over): {@link #startWave} makes
 * every slice handed out before it invalid, so the caller starts a wave only once the last one is written. One per
 * writer thread, made on first use and kept: a thread that writes small files once will again. Not thread-safe.
 */
final class ContentArena {
    static final int BYTES = (int) Transfer.WAVE_CONTENT_BYTES + TreeServer.MAX_INLINE_BYTES;
    private static final ThreadLocal<ContentArena> OF_THREAD = ThreadLocal.withInitial(ContentArena::new);

    private ByteBuffer memory;
    private int used;

    private ContentArena() {
    }

    /** The calling thread's arena. */
    static ContentArena ofThisThread() {
        return OF_THREAD.get();
    }

    /** Forgets the last wave's bytes: the slices handed out for them may be overwritten from here on. */
    void startWave() {
        used = 0;
    }

    /**
     * A copy of {@code bytes} (its remaining ones; its position is left alone) in this arena, valid until the next
     * {@link #startWave}; or null if the wave has filled the arena, and the caller keeps the bytes where they are.
     */
    ByteBuffer copy(ByteBuffer bytes) {
        int length = bytes.remaining();
        if (length > BYTES - used) {
            return null;
        }
        if (memory == null) {
            memory = ByteBuffer.allocateDirect(BYTES);
        }
        ByteBuffer copy = memory.slice(used, length).put(bytes.duplicate()).flip();
        used += length;
        return copy;
    }
}
