package dev.mirror.wire;

import dev.mirror.wire.proto.Frame;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Puts the frame codec into a pipeline: a 4-byte big-endian length, then one {@link Frame}. The length is checked
 * against {@link #MAX_FRAME_BYTES} as soon as its 4 bytes arrive, before any buffer is sized by it, so a hostile
 * length of 2^31-1 costs nothing but the link. (Netty's varint frame decoder has no cap at all, and protobuf-java
 * accepts messages up to 2 GB: neither is safe facing a peer.)
 */
public final class FrameCodec {
    /**
     * The most bytes one Frame may have (the 4-byte length not counted): room for the largest chunk (256 KiB) with
     * its envelope, and for a page of a directory or chunk list.
     */
    public static final int MAX_FRAME_BYTES = 4 << 20;
    static final int LENGTH_BYTES = 4;

    private FrameCodec() {
    }

    /** Adds the decoder and encoder, in the order the pipeline needs them, after whatever is there (TLS). */
    public static void addTo(ChannelPipeline pipeline) {
        // Netty's maximum counts the length field too; ours caps the Frame's own bytes.
        LengthFieldBasedFrameDecoder frames = new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES + LENGTH_BYTES, 0,
                LENGTH_BYTES, 0, LENGTH_BYTES, true);
        frames.setCumulator(new FrameCumulator());
        pipeline.addLast("frame-decoder", frames);
        pipeline.addLast("frame-parser", new FrameDecoder());
        pipeline.addLast("frame-encoder", new FrameEncoder());
    }
}
