package dev.mirror.wire;

import com.google.protobuf.CodedOutputStream;
import dev.mirror.wire.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes a {@link Frame} with its 4-byte length straight into the buffer TLS encrypts from (a direct one where the
 * engine is native). Netty's ProtobufEncoder and LengthFieldPrepender would first serialize into a fresh array and
 * then have it copied again into such a buffer: for chunk replies that is a copy and a heap array per byte sent.
 */
final class FrameEncoder extends MessageToByteEncoder<Frame> {
    FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return allocate(ctx.alloc(), frame);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) throws Exception {
        write(frame, out);
    }

    /** {@code frame} with its length, in a buffer of its own: for a frame encoded before it reaches the pipeline. */
    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) throws IOException {
        ByteBuf out = allocate(alloc, frame);
        try {
            write(frame, out);
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static ByteBuf allocate(ByteBufAllocator alloc, Frame frame) {
        return alloc.ioBuffer(FrameCodec.LENGTH_BYTES + frame.getSerializedSize());
    }

    private static void write(Frame frame, ByteBuf out) throws IOException {
        int size = frame.getSerializedSize();
        out.writeInt(size);
        out.ensureWritable(size);
        ByteBuffer target = out.nioBuffer(out.writerIndex(), size);
        CodedOutputStream output = CodedOutputStream.newInstance(target);
        frame.writeTo(output);
        output.checkNoSpaceLeft();
        out.writerIndex(out.writerIndex() + size);
    }
}
