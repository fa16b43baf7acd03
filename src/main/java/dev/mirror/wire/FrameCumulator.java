package dev.mirror.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Gathers the bytes of a frame for the frame decoder in one buffer sized for the whole frame as soon as its length
 * prefix is in. Netty's default cumulator grows its buffer by doubling as bytes arrive: a 2 MiB frame coming in 16 KiB
 * TLS records was moved through about eight buffers in turn, each allocated, filled with a copy of the last and freed
 * — as many bytes copied again as the link carried, and ~0.2 CPU-s of a receiver's link thread in a first mirror of
 * 50,000 files. Here each frame's bytes are copied once, into a {@link FrameBuffer}, where the parsed frame's bytes
 * fields may stay. A length over {@link FrameCodec#MAX_FRAME_BYTES} sizes nothing: the decoder refuses it and closes
 * the link.
 */
final class FrameCumulator implements ByteToMessageDecoder.Cumulator {
    /**
     * Room past the frame's end, for the start of the next one: the TLS record (at most 16 KiB of plaintext) that
     * ends a frame usually carries it too, and without the room that last record alone would need a larger buffer.
     */
    static final int NEXT_FRAME_ROOM = 16 << 10;

    @Override
    public ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation == in) {
            in.release(); // retained twice by the decoder (see Netty's MERGE_CUMULATOR)
            return cumulation;
        }
        if (!cumulation.isReadable() && in.isContiguous()) {
            cumulation.release();
            return in; // nothing held back: the decoder reads the new bytes where they are
        }
        try {
            int held = cumulation.readableBytes();
            int total = held + in.readableBytes();
            if (cumulation.writableBytes() >= in.readableBytes() && cumulation.refCnt() == 1
                    && !cumulation.isReadOnly()) {
                cumulation.writeBytes(in);
                return cumulation;
            }
            int frame = frameBytes(cumulation);
            ByteBuf larger = new FrameBuffer(alloc, Math.max(total, frame == 0 ? 0 : frame + NEXT_FRAME_ROOM));
            larger.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return larger;
        } finally {
            in.release();
        }
    }

    /**
     * The bytes of the frame that starts {@code held}, its length prefix included, if that prefix is in and within
     * the cap; else 0.
     */
    private static int frameBytes(ByteBuf held) {
        if (held.readableBytes() < FrameCodec.LENGTH_BYTES) {
            return 0;
        }
        long frame = held.getUnsignedInt(held.readerIndex());
        return frame <= FrameCodec.MAX_FRAME_BYTES ? (int) frame + FrameCodec.LENGTH_BYTES : 0;
    }
}
