package dev.mirror.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.mirror.wire.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Parses one length-delimited frame (the length already taken off) into a {@link Frame}. A frame gathered in a
 * {@link FrameBuffer} (every frame that came in more than one piece: all big ones) is parsed with aliasing, so its
 * bytes fields (chunk data, small files' content) stay where the frame's bytes are instead of each being copied into
 * an array of its own: that copy was 5% of a receiver's link thread in a first mirror of 50,000 files, the thread
 * every byte from the peer waits for. Any other frame is read where TLS decrypted it and its bytes fields are copied
 * out: that buffer goes back to Netty's pool. (Netty's ProtobufDecoder would first copy a direct buffer into an array,
 * and protobuf then copy every bytes field out of that.)
 */
final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws Exception {
        out.add(Frame.parseFrom(input(frame)));
    }

    private static CodedInputStream input(ByteBuf frame) {
        if (FrameBuffer.holds(frame) && frame.hasArray()) {
            // Only a ByteString over the array makes protobuf treat it as immutable, which aliasing needs.
            CodedInputStream input = UnsafeByteOperations.unsafeWrap(frame.array(),
                    frame.arrayOffset() + frame.readerIndex(), frame.readableBytes()).newCodedInput();
            input.enableAliasing(true);
            return input;
        }
        return frame.nioBufferCount() == 1 ? CodedInputStream.newInstance(frame.nioBuffer())
                : CodedInputStream.newInstance(ByteBufUtil.getBytes(frame));
    }
}
