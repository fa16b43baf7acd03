package dev.mirror.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.DirectoryQuery;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Frame;
import dev.mirror.wire.proto.Hello;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;
import dev.mirror.wire.proto.Listing;
import dev.mirror.wire.proto.RootChanged;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link Link} on an {@link EmbeddedChannel} behind the real frame codec and {@link LinkGuard}: the conversation's
 * order, request ids, and what closes the link. Bytes go in and come out exactly as they would on a socket.
 */
@Timeout(10)
class LinkTest {
    private static final DeviceId PEER = DeviceId.of(Hash.sha256("the peer".getBytes(StandardCharsets.UTF_8)));
    private static final Hash PEER_ROOT = Hash.sha256("the peer's root".getBytes(StandardCharsets.UTF_8));
    private static final Frame PEER_HELLO = Frame.newBuilder().setHello(helloFrom("peer", PEER_ROOT)).build();
    private static final Frame LIST_REQUEST = Frame.newBuilder().setId(7).setListRequest(ListRequest.newBuilder()
            .addQueries(DirectoryQuery.newBuilder().setPath("docs"))).build();

    private final RecordingEndpoint endpoint = new RecordingEndpoint();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void ourHelloIsSentWhenTheLinkIsEstablishedAndNotBefore() throws Exception {
        EmbeddedChannel channel = channel();
        assertEquals(List.of(), written(channel), "nothing is said before TLS proves the peer");

        channel.pipeline().fireUserEventTriggered(new Link.Established(PEER));

        assertEquals(List.of(Frame.newBuilder().setHello(endpoint.ourHello).build()), written(channel));
        assertEquals(List.of(PEER), endpoint.helloAskedFor);
        assertEquals(PEER, link(channel).peer());
        assertFalse(link(channel).isOpen(), "open only once the peer's Hello is accepted too");
    }

    @Test
    void thePeersHelloOpensTheLink() throws Exception {
        EmbeddedChannel channel = established();

        feed(channel, PEER_HELLO);

        assertTrue(link(channel).isOpen());
        assertEquals(List.of(PEER_HELLO.getHello()), endpoint.accepted);
        assertEquals(List.of(PEER_ROOT), endpoint.openedWith);
        assertTrue(channel.isOpen());
    }

    @Test
    void aRequestBeforeThePeersHelloClosesTheLinkWithAProtocolFailure() throws Exception {
        EmbeddedChannel channel = established();

        feed(channel, LIST_REQUEST);

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertEquals(List.of(), endpoint.served, "nothing is served to a peer that has not said Hello");
        assertEquals(List.of(), endpoint.accepted);
    }

    @Test
    void aHelloBeforeTheLinkIsEstablishedClosesIt() throws Exception {
        EmbeddedChannel channel = channel();

        feed(channel, PEER_HELLO);

        assertFalse(channel.isOpen());
        assertEquals(List.of(), endpoint.accepted, "no Hello is accepted before TLS proves who sent it");
    }

    @Test
    void aRefusedHelloClosesTheLinkWithTheEndpointsCode() throws Exception {
        endpoint.refusal = new ProtocolException(Failure.Code.INCOMPATIBLE, "other tree parameters");
        EmbeddedChannel channel = established();

        feed(channel, PEER_HELLO);

        assertClosedWith(channel, Failure.Code.INCOMPATIBLE);
        assertEquals(List.of(), endpoint.openedWith);
        assertEquals(0, endpoint.closed, "a link that never opened is not reported closed");
    }

    @Test
    void aSecondHelloClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();

        feed(channel, PEER_HELLO);

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertEquals(1, endpoint.accepted.size());
        assertEquals(1, endpoint.closed);
    }

    @Test
    void aReplyToARequestNeverSentClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();

        feed(channel, Frame.newBuilder().setId(42).setListReply(ListReply.getDefaultInstance()).build());

        assertClosedWith(channel, Failure.Code.PROTOCOL);
    }

    @Test
    void aReplyWithoutAnIdClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> reply = link(channel).request(listRequest("a"));
        written(channel);

        feed(channel, Frame.newBuilder().setListReply(ListReply.getDefaultInstance()).build());

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertFailedWith(IOException.class, reply);
    }

    @Test
    void aReplyOfTheWrongKindClosesTheLinkAndFailsItsRequest() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> reply = link(channel).request(listRequest("a"));
        long id = single(written(channel)).getId();

        feed(channel, Frame.newBuilder().setId(id).setChunkReply(ChunkReply.getDefaultInstance()).build());

        assertFailedWith(IOException.class, reply);
        assertClosedWith(channel, Failure.Code.PROTOCOL);
    }

    @Test
    void aRequestIsAnsweredWithItsOwnId() throws Exception {
        EmbeddedChannel channel = opened();
        // The endpoint's reply carries some other id: the link must set the request's.
        endpoint.answer = request -> CompletableFuture.completedFuture(Frame.newBuilder().setId(999)
                .setListReply(ListReply.newBuilder().addListings(Listing.newBuilder().setPath("docs"))).build());

        feed(channel, LIST_REQUEST);

        assertEquals(List.of(LIST_REQUEST), endpoint.served);
        Frame reply = single(written(channel));
        assertEquals(7, reply.getId());
        assertEquals("docs", reply.getListReply().getListings(0).getPath());
        assertTrue(channel.isOpen());
    }

    @Test
    void aRequestAnsweredLaterStillGetsItsId() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> later = new CompletableFuture<>();
        endpoint.answer = request -> later;
        feed(channel, LIST_REQUEST);
        assertEquals(List.of(), written(channel));

        later.complete(Frame.newBuilder().setListReply(ListReply.getDefaultInstance()).build());
        channel.runPendingTasks();

        assertEquals(7, single(written(channel)).getId());
    }

    @Test
    void aRequestTheEndpointCannotAnswerGetsAFailureWithItsIdAndTheLinkStays() throws Exception {
        EmbeddedChannel channel = opened();
        endpoint.answer = request -> CompletableFuture.failedFuture(new IOException("disk on fire"));

        feed(channel, LIST_REQUEST);

        Frame reply = single(written(channel));
        assertEquals(7, reply.getId());
        assertEquals(Failure.Code.UNAVAILABLE, reply.getFailure().getCode());
        assertTrue(channel.isOpen());
    }

    @Test
    void aRequestTheEndpointFindsHostileClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();
        endpoint.answer = request -> CompletableFuture.failedFuture(
                new ProtocolException(Failure.Code.PROTOCOL, "a hostile path"));

        feed(channel, LIST_REQUEST);

        assertClosedWith(channel, Failure.Code.PROTOCOL);
    }

    @Test
    void aRequestWithoutAnIdClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();

        feed(channel, LIST_REQUEST.toBuilder().setId(0).build());

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertEquals(List.of(), endpoint.served);
    }

    @Test
    void manyRequestsInFlightAreMatchedToTheirRepliesInAnyOrder() throws Exception {
        EmbeddedChannel channel = opened();
        Map<Long, CompletableFuture<Frame>> byId = new HashMap<>();
        Map<Long, String> askedFor = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Frame> reply = link(channel).request(listRequest("dir-" + i));
            Frame sent = single(written(channel));
            assertFalse(byId.containsKey(sent.getId()), "request ids are fresh");
            assertNotEquals(0, sent.getId());
            byId.put(sent.getId(), reply);
            askedFor.put(sent.getId(), sent.getListRequest().getQueries(0).getPath());
        }
        assertEquals(200, link(channel).requestsSent());
        List<Long> ids = new ArrayList<>(byId.keySet());
        Collections.shuffle(ids, new Random(11));

        // All replies in one read, shuffled: the decoder splits them and the link matches each by id.
        List<Frame> replies = new ArrayList<>();
        for (long id : ids) {
            replies.add(Frame.newBuilder().setId(id).setListReply(ListReply.newBuilder()
                    .addListings(Listing.newBuilder().setPath(askedFor.get(id)))).build());
        }
        channel.writeInbound(Unpooled.wrappedBuffer(encode(replies.toArray(Frame[]::new))));
        channel.runPendingTasks();

        for (long id : ids) {
            assertEquals(askedFor.get(id), byId.get(id).getNow(null).getListReply().getListings(0).getPath());
        }
        assertTrue(channel.isOpen());
    }

    @Test
    void aFailureWithAnIdFailsJustThatRequest() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> first = link(channel).request(listRequest("a"));
        long firstId = single(written(channel)).getId();
        CompletableFuture<Frame> second = link(channel).request(Frame.newBuilder()
                .setChunkListRequest(ChunkListRequest.getDefaultInstance()));
        long secondId = single(written(channel)).getId();

        feed(channel, Frame.newBuilder().setId(firstId).setFailure(Failure.newBuilder()
                .setCode(Failure.Code.NOT_FOUND).setMessage("no such directory")).build());

        ProtocolException failure = assertFailedWith(ProtocolException.class, first);
        assertEquals(Failure.Code.NOT_FOUND, failure.code());
        assertFalse(second.isDone());
        assertTrue(channel.isOpen());
        assertTrue(link(channel).isOpen());

        feed(channel, Frame.newBuilder().setId(secondId).setChunkListReply(ChunkListReply.getDefaultInstance())
                .build());
        assertEquals(ChunkListReply.getDefaultInstance(), second.getNow(null).getChunkListReply());
    }

    @Test
    void closingTheLinkFailsEveryPendingRequestWithAnIoException() throws Exception {
        EmbeddedChannel channel = opened();
        Link link = link(channel);
        List<CompletableFuture<Frame>> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(link.request(Frame.newBuilder().setChunkRequest(ChunkRequest.getDefaultInstance())));
        }

        channel.close();
        channel.runPendingTasks();

        for (CompletableFuture<Frame> reply : pending) {
            IOException failure = assertFailedWith(IOException.class, reply);
            assertFalse(failure instanceof ProtocolException, "a closed link is not the peer's failure");
        }
        assertEquals(1, endpoint.closed);
        assertFalse(link.isOpen());
        assertFailedWith(IOException.class, link.request(listRequest("after")));
    }

    @Test
    void aHelloWithAMalformedRootClosesTheLinkBeforeItOpens() throws Exception {
        EmbeddedChannel channel = established();
        Frame shortRoot = PEER_HELLO.toBuilder().setHello(PEER_HELLO.getHello().toBuilder()
                .setRoot(ByteString.copyFrom(new byte[] {1, 2, 3}))).build();

        feed(channel, shortRoot);

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertEquals(List.of(), endpoint.openedWith);
        assertEquals(0, endpoint.closed, "a link that never opened is not reported closed");
    }

    @Test
    void theStatedRootOfAPeerReachesTheEndpoint() throws Exception {
        EmbeddedChannel channel = opened();
        Hash moved = Hash.sha256(new byte[] {9});

        feed(channel, Frame.newBuilder().setRootChanged(RootChanged.newBuilder().setRoot(WireHashes.bytes(moved)))
                .build());

        assertEquals(List.of(moved), endpoint.rootsChanged);
        assertTrue(channel.isOpen());
    }

    @Test
    void aMalformedRootChangedClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();

        feed(channel, Frame.newBuilder().setRootChanged(RootChanged.newBuilder()
                .setRoot(ByteString.copyFrom(new byte[31]))).build());

        assertClosedWith(channel, Failure.Code.PROTOCOL);
        assertEquals(List.of(), endpoint.rootsChanged);
    }

    @Test
    void aQuietLinkRepeatsOurRootAndASilentPeerIsClosed() throws Exception {
        EmbeddedChannel channel = opened();

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        Frame repeated = single(written(channel));
        assertEquals(endpoint.ourHello.getRoot(), repeated.getRootChanged().getRoot());
        assertEquals(0, repeated.getId());

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertClosedWith(channel, Failure.Code.PROTOCOL);
    }

    @Test
    void aFailureWithoutAnIdClosesTheLink() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> reply = link(channel).request(listRequest("a"));

        feed(channel, Frame.newBuilder().setFailure(Failure.newBuilder().setCode(Failure.Code.NOT_PAIRED)
                .setMessage("bye")).build());

        assertFalse(channel.isOpen());
        assertFailedWith(IOException.class, reply);
    }

    @Test
    void bytesThatAreNotAFrameCloseAnOpenLinkAndFailItsRequests() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> reply = link(channel).request(listRequest("a"));
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

        channel.writeInbound(Unpooled.buffer().writeInt(garbage.length).writeBytes(garbage));
        channel.runPendingTasks();

        assertFalse(channel.isOpen());
        assertFailedWith(IOException.class, reply);
        assertEquals(1, endpoint.closed);
    }

    @Test
    void aLengthOf2To31Minus1ClosesAnOpenLinkAtOnce() throws Exception {
        EmbeddedChannel channel = opened();
        CompletableFuture<Frame> reply = link(channel).request(listRequest("a"));

        // Only the four length bytes: the link must not wait for two gigabytes to decide.
        channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE));
        channel.runPendingTasks();

        assertFalse(channel.isOpen());
        assertFailedWith(IOException.class, reply);
        assertEquals(1, endpoint.closed);
    }

    @Test
    void helloAndRequestSplitAtEveryOffsetAreParsed() throws Exception {
        byte[] wire = encode(PEER_HELLO, LIST_REQUEST);
        for (int split = 0; split <= wire.length; split++) {
            RecordingEndpoint fresh = new RecordingEndpoint();
            EmbeddedChannel channel = established(fresh);
            written(channel);
            channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            channel.runPendingTasks();

            assertEquals(List.of(PEER_HELLO.getHello()), fresh.accepted, "split at " + split);
            assertEquals(List.of(LIST_REQUEST), fresh.served, "split at " + split);
            assertEquals(7, single(written(channel)).getId(), "split at " + split);
            assertTrue(channel.isOpen(), "split at " + split);
        }
    }

    @Test
    void helloAndRequestFedOneByteAtATimeAreParsed() throws Exception {
        byte[] wire = encode(PEER_HELLO, LIST_REQUEST);
        EmbeddedChannel channel = established();
        written(channel);

        for (byte b : wire) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        channel.runPendingTasks();

        assertEquals(List.of(PEER_HELLO.getHello()), endpoint.accepted);
        assertEquals(List.of(LIST_REQUEST), endpoint.served);
        assertEquals(7, single(written(channel)).getId());
    }

    @Test
    void aSilentPeerIsClosedWhenTheHelloTimeoutRunsOut() throws Exception {
        EmbeddedChannel channel = established();
        written(channel);

        channel.advanceTimeBy(Link.HELLO_TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "the peer still has a millisecond");

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();

        assertClosedWith(channel, Failure.Code.PROTOCOL);
    }

    @Test
    void aHelloInTimeStopsTheTimeout() throws Exception {
        EmbeddedChannel channel = opened();

        channel.advanceTimeBy(2 * Link.HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertTrue(channel.isOpen());
        assertEquals(List.of(), written(channel));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private EmbeddedChannel channel() {
        return channel(endpoint);
    }

    private EmbeddedChannel channel(RecordingEndpoint to) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        FrameCodec.addTo(channel.pipeline());
        channel.pipeline().addLast("link", new Link(to));
        channel.pipeline().addLast(new LinkGuard());
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel established() {
        return established(endpoint);
    }

    private EmbeddedChannel established(RecordingEndpoint to) {
        EmbeddedChannel channel = channel(to);
        channel.pipeline().fireUserEventTriggered(new Link.Established(PEER));
        return channel;
    }

    /** A link past both Hellos, with nothing left unread in its output. */
    private EmbeddedChannel opened() throws Exception {
        EmbeddedChannel channel = established();
        feed(channel, PEER_HELLO);
        assertTrue(link(channel).isOpen());
        written(channel);
        return channel;
    }

    private static Link link(EmbeddedChannel channel) {
        return (Link) channel.pipeline().get("link");
    }

    private static void feed(EmbeddedChannel channel, Frame frame) {
        channel.writeInbound(Unpooled.wrappedBuffer(encode(frame)));
        channel.runPendingTasks();
    }

    private static Frame.Builder listRequest(String path) {
        return Frame.newBuilder().setListRequest(ListRequest.newBuilder()
                .addQueries(DirectoryQuery.newBuilder().setPath(path)));
    }

    /** Every frame written since the last call, parsed from the bytes as a peer would read them. */
    private static List<Frame> written(EmbeddedChannel channel) throws InvalidProtocolBufferException {
        channel.runPendingTasks();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            byte[] part = new byte[buf.readableBytes()];
            buf.readBytes(part);
            buf.release();
            bytes.writeBytes(part);
        }
        ByteBuffer stream = ByteBuffer.wrap(bytes.toByteArray());
        List<Frame> frames = new ArrayList<>();
        while (stream.hasRemaining()) {
            byte[] body = new byte[stream.getInt()];
            stream.get(body);
            frames.add(Frame.parseFrom(body));
        }
        return frames;
    }

    private static Frame single(List<Frame> frames) {
        assertEquals(1, frames.size(), () -> "expected one frame, got " + frames);
        return frames.get(0);
    }

    /** The link is closed, and the last thing it said was a Failure with {@code code} and no id. */
    private static void assertClosedWith(EmbeddedChannel channel, Failure.Code code) throws Exception {
        List<Frame> frames = written(channel);
        assertFalse(channel.isOpen(), "the link is closed");
        assertFalse(frames.isEmpty(), "a Failure is written before the link closes");
        Frame last = frames.get(frames.size() - 1);
        assertEquals(Frame.BodyCase.FAILURE, last.getBodyCase(), () -> "last frame written: " + last);
        assertEquals(code, last.getFailure().getCode());
        assertEquals(0, last.getId());
        assertFalse(last.getFailure().getMessage().isEmpty(), "the Failure says why");
    }

    private static <T extends Throwable> T assertFailedWith(Class<T> type, CompletableFuture<Frame> reply) {
        assertTrue(reply.isDone(), "the request is settled");
        try {
            reply.get(0, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return fail("the request succeeded: " + reply.getNow(null));
    }

    private static Hello helloFrom(String folder, Hash root) {
        return Hello.newBuilder().setProtocolVersion(1).setFolderId(folder)
                .setDeviceId(ByteString.copyFrom(new byte[32])).setRoot(WireHashes.bytes(root)).build();
    }

    private static byte[] encode(Frame... frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            byte[] body = frame.toByteArray();
            all.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
            all.writeBytes(body);
        }
        return all.toByteArray();
    }

    /** Records what the link tells it; answers requests with {@link #answer}; refuses a Hello with {@link #refusal}. */
    private static final class RecordingEndpoint implements LinkEndpoint {
        final Hello ourHello = helloFrom("ours", Hash.sha256(new byte[] {1}));
        final List<DeviceId> helloAskedFor = new ArrayList<>();
        final List<Hello> accepted = new ArrayList<>();
        final List<Hash> openedWith = new ArrayList<>();
        final List<Frame> served = new ArrayList<>();
        final List<Hash> rootsChanged = new ArrayList<>();
        int closed;
        ProtocolException refusal;
        Function<Frame, CompletableFuture<Frame>> answer = request -> CompletableFuture
                .completedFuture(Frame.newBuilder().setListReply(ListReply.getDefaultInstance()).build());

        @Override
        public Hello hello(DeviceId peer) {
            helloAskedFor.add(peer);
            return ourHello;
        }

        @Override
        public void accept(Link link, Hello hello) throws ProtocolException {
            if (refusal != null) {
                throw refusal;
            }
            accepted.add(hello);
        }

        @Override
        public void opened(Link link, Hash peerRoot) {
            openedWith.add(peerRoot);
        }

        @Override
        public Hash currentRoot() {
            return Hash.of(ourHello.getRoot().toByteArray());
        }

        @Override
        public CompletableFuture<Frame> serve(Link link, Frame request) {
            served.add(request);
            return answer.apply(request);
        }

        @Override
        public void rootChanged(Link link, Hash root) {
            rootsChanged.add(root);
        }

        @Override
        public void closed(Link link) {
            closed++;
        }
    }
}
