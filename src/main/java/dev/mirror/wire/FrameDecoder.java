package dev.mirror.wire;

import com.google.protobuf.CodedInputStream;
import dev.mirror.wire.proto.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Parses one length-delimited frame (the length already taken off) into a {@link Frame}, straight from the buffer
 * TLS decrypted into: chunk data is copied once, into the {@code ByteString} that carries it on. (Netty's
 * ProtobufDecoder first copies a direct buffer into an array and protobuf then copies every bytes field out of that:
 * two copies and twice the garbage for every byte a peer sends.)
 */
final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws Exception {
        CodedInputStream input = frame.nioBufferCount() == 1 ? CodedInputStream.newInstance(frame.nioBuffer())
                : CodedInputStream.newInstance(ByteBufUtil.getBytes(frame));
        out.add(Frame.parseFrom(input));
    }
}
