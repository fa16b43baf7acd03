package dev.mirror.wire;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.mirror.wire.proto.ChunkData;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.Hello;
import dev.mirror.wire.proto.RootChanged;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {
    private static final Frame HELLO = Frame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
            .setDeviceId(ByteString.copyFrom(new byte[32])).setFolderId("default")
            .setRoot(ByteString.copyFrom(new byte[32]))).build();
    private static final Frame ROOT = Frame.newBuilder().setRootChanged(RootChanged.newBuilder()
            .setRoot(ByteString.copyFrom(new byte[] {1, 2, 3}))).build();

    @Test
    void framesSplitAtEveryOffsetDecodeWhole() {
        byte[] wire = encode(HELLO, ROOT);
        for (int split = 0; split <= wire.length; split++) {
            EmbeddedChannel channel = channel();
            channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            assertEquals(HELLO, channel.readInbound(), "split at " + split);
            assertEquals(ROOT, channel.readInbound(), "split at " + split);
            assertNull(channel.readInbound());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void frameFedOneByteAtATimeDecodes() {
        byte[] wire = encode(HELLO);
        EmbeddedChannel channel = channel();
        for (byte b : wire) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertEquals(HELLO, channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void lengthOf2To31Minus1ClosesTheLinkWithoutAllocatingIt() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2}));
        assertFalse(channel.isOpen(), "a hostile length closes the link at once");
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void frameOneByteOverTheCapIsRefusedAndOneAtTheCapIsNot() {
        EmbeddedChannel over = channel();
        over.writeInbound(Unpooled.buffer().writeInt(FrameCodec.MAX_FRAME_BYTES + 1));
        assertFalse(over.isOpen());
        over.finishAndReleaseAll();

        EmbeddedChannel at = channel();
        at.writeInbound(Unpooled.buffer().writeInt(FrameCodec.MAX_FRAME_BYTES));
        assertTrue(at.isOpen(), "the cap itself is allowed; the bytes have yet to come");
        at.finishAndReleaseAll();
    }

    @Test
    void bytesThatAreNotAFrameCloseTheLink() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.buffer().writeInt(garbage.length).writeBytes(garbage));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void outboundFramesGetTheirLengthPrefix() {
        EmbeddedChannel channel = channel();
        channel.writeOutbound(ROOT);
        List<byte[]> written = new ArrayList<>();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            written.add(bytes);
        }
        byte[] joined = written.stream().reduce(new byte[0], FrameCodecTest::concat);
        assertEquals(ROOT.getSerializedSize(), Unpooled.wrappedBuffer(joined).getInt(0));
        channel.finishAndReleaseAll();
    }

    @Test
    void aChunkReplyRoundTripsAndOutlivesTheDirectBufferItCameIn() {
        Frame reply = chunkReply(9, new java.util.Random(7), 256 << 10);
        EmbeddedChannel sender = channel();
        sender.writeOutbound(reply);
        ByteBuf wire = Unpooled.directBuffer();
        for (Object out; (out = sender.readOutbound()) != null; ) {
            wire.writeBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        assertEquals(4 + reply.getSerializedSize(), wire.readableBytes());

        EmbeddedChannel receiver = channel();
        receiver.writeInbound(wire.retainedDuplicate());
        Frame decoded = receiver.readInbound();
        wire.setZero(0, wire.capacity()); // the decoder must have copied the data out, not kept a view of it
        wire.release();
        assertEquals(reply, decoded);
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Test
    void aBigFrameArrivingInTlsRecordsIsGatheredIntoOneBufferSizedForIt() {
        Frame reply = chunkReply(3, new java.util.Random(11), 2 << 20);
        byte[] wire = encode(reply, ROOT);
        List<Integer> allocated = new ArrayList<>();
        EmbeddedChannel channel = channel();
        channel.config().setAllocator(new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                allocated.add(initialCapacity);
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return newHeapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        });

        for (int at = 0; at < wire.length; at += 16 << 10) {
            int length = Math.min(16 << 10, wire.length - at);
            channel.writeInbound(Unpooled.buffer(length).writeBytes(wire, at, length)); // as TLS hands them on
        }

        Frame decoded = channel.readInbound();
        assertEquals(reply, decoded);
        assertEquals(ROOT, channel.readInbound());
        assertEquals(List.of(), allocated.stream().filter(n -> n > 64 << 10).toList(),
                "the big frame is gathered in a FrameBuffer, not in a buffer from the pool: " + allocated);
        assertEquals(4 + reply.getSerializedSize() + FrameCumulator.NEXT_FRAME_ROOM,
                backingArray(decoded.getChunkReply().getChunks(0).getData()).length,
                "the chunk's bytes stay in the one array sized for the frame: not copied out");
        channel.finishAndReleaseAll();
    }

    @Test
    void framesParsedEarlierKeepTheirBytesWhileLaterOnesArriveInTheSameBuffer() {
        // Small frames in small pieces: several frames share one FrameBuffer, and the decoder asks it to discard
        // read bytes every 16 reads. Moving them would corrupt the chunks of frames parsed before.
        java.util.Random random = new java.util.Random(5);
        List<Frame> sent = new ArrayList<>();
        byte[] wire = new byte[0];
        for (int i = 0; i < 64; i++) {
            Frame frame = chunkReply(i + 1, random, 1 + random.nextInt(6 << 10));
            sent.add(frame);
            wire = concat(wire, encode(frame));
        }
        EmbeddedChannel channel = channel();
        for (int at = 0; at < wire.length; at += 1500) {
            int length = Math.min(1500, wire.length - at);
            channel.writeInbound(Unpooled.buffer(length).writeBytes(wire, at, length));
        }

        List<Frame> received = new ArrayList<>();
        for (Frame frame; (frame = channel.readInbound()) != null; ) {
            received.add(frame);
        }
        assertEquals(sent, received);
        assertTrue(received.stream().anyMatch(frame -> {
            ByteString data = frame.getChunkReply().getChunks(0).getData();
            return backingArray(data).length > data.size();
        }), "some chunks were parsed in place, where later frames were written next to them");
        channel.finishAndReleaseAll();
    }

    /** A reply with request id {@code id} carrying one chunk of {@code bytes} random bytes from {@code random}. */
    private static Frame chunkReply(long id, java.util.Random random, int bytes) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return Frame.newBuilder().setId(id).setChunkReply(ChunkReply.newBuilder().addChunks(ChunkData.newBuilder()
                .setHash(ByteString.copyFrom(new byte[32])).setData(ByteString.copyFrom(data)))).build();
    }

    /** The array a ByteString's bytes are in (a copy of them if it is not one array). */
    private static byte[] backingArray(ByteString data) {
        byte[][] array = new byte[1][];
        try {
            UnsafeByteOperations.unsafeWriteTo(data, new ByteOutput() {
                @Override
                public void write(byte value) {
                    array[0] = data.toByteArray();
                }

                @Override
                public void write(byte[] value, int offset, int length) {
                    array[0] = value;
                }

                @Override
                public void writeLazy(byte[] value, int offset, int length) {
                    array[0] = value;
                }

                @Override
                public void write(java.nio.ByteBuffer value) {
                    array[0] = data.toByteArray();
                }

                @Override
                public void writeLazy(java.nio.ByteBuffer value) {
                    array[0] = data.toByteArray();
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return array[0];
    }

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        FrameCodec.addTo(channel.pipeline());
        channel.pipeline().addLast(new LinkGuard());
        return channel;
    }

    private static byte[] encode(Frame... frames) {
        byte[] all = new byte[0];
        for (Frame frame : frames) {
            byte[] body = frame.toByteArray();
            ByteBuf buf = Unpooled.buffer().writeInt(body.length).writeBytes(body);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            all = concat(all, bytes);
        }
        return all;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
