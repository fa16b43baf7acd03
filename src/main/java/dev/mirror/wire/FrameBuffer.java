package dev.mirror.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * The buffer {@link FrameCumulator} gathers a frame in: an array on the Java heap that nothing ever reuses, so the
 * frame parser may let the bytes fields it parses point into it ({@link FrameDecoder}) rather than copy each out, and
 * the garbage collector frees it once no parsed message points into it any more. A pooled buffer could not be
 * shared that way: released, its memory would go to the next frame while a chunk parsed from it waits to be written.
 *
 * <p>Read bytes are never moved to the front to make room ({@link #discardReadBytes}), as a Netty buffer otherwise
 * may: they may be a frame parsed earlier whose chunks are still on their way to the disk. The array is asked for
 * without zeroing (every byte is written before it is read), which the JDK grants only where {@code bin/mirror}
 * opens it ({@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}) and the allocation has been compiled by C2;
 * at one array per frame a receiver seldom gets there, and then pays the zeroing as before.
 */
final class FrameBuffer extends UnpooledHeapByteBuf {
    FrameBuffer(ByteBufAllocator alloc, int capacity) {
        super(alloc, capacity, capacity);
    }

    /** Whether {@code frame} is one of these or a slice of one: its bytes may then be aliased. */
    static boolean holds(ByteBuf frame) {
        return frame instanceof FrameBuffer || frame.unwrap() instanceof FrameBuffer;
    }

    @Override
    protected byte[] allocateArray(int capacity) {
        return PlatformDependent.allocateUninitializedArray(capacity);
    }

    @Override
    public ByteBuf discardReadBytes() {
        return this; // never: parsed frames may point into the bytes before the reader index
    }

    @Override
    public ByteBuf discardSomeReadBytes() {
        return this; // as above
    }
}
