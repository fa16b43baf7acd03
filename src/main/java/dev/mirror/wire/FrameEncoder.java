package dev.mirror.wire;

import com.google.protobuf.CodedOutputStream;
import dev.mirror.wire.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

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
        return ctx.alloc().ioBuffer(FrameCodec.LENGTH_BYTES + frame.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) throws Exception {
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
