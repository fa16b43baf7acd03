package dev.mirror.sync;

import dev.mirror.testing.TestFolders;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small files come with their chunk lists (docs/protocol.md, "Moving content"): a first mirror of many of them costs
 * list requests only, every reply stays within the bytes of a chunk reply, and a bigger file is fetched by chunks.
 */
class ContentWithListTest extends TwoFolderTest {
    @Test
    void smallFilesCostNoChunkRequest() throws Exception {
        long total = 0;
        for (int i = 0; i < 40; i++) {
            total += write(dirA, "f" + i + ".bin", TestFolders.randomBytes(i, 1 + i * 1_600)).toFile().length();
        }
        write(dirA, "empty", new byte[0]);
        scan(a);
        ServedTree served = served(a);
        PullProgress progress = new PullProgress();

        assertEquals(0, pull(b, a, served, progress).deferred());

        assertEquals(0, served.chunkRequests());
        assertEquals(total, progress.receivedBytes(), "content that came with a list counts as received");
        assertEquals(a.summary(), b.summary());
        assertArrayEquals(TestFolders.randomBytes(39, 1 + 39 * 1_600), Files.readAllBytes(dirB.resolve("f39.bin")));
    }

    @Test
    void noReplyCarriesMoreContentThanAChunkReply() throws Exception {
        for (int i = 0; i < 100; i++) {
            write(dirA, "f" + i + ".bin", TestFolders.randomBytes(i, TreeServer.MAX_INLINE_BYTES - i));
        }
        scan(a);
        ServedTree served = served(a);

        assertEquals(0, pull(b, a, served, new PullProgress()).deferred());

        assertEquals(0, served.chunkRequests(), "the receiver asked for no more than a reply may carry");
        assertTrue(served.mostContentInAReply() <= TreeServer.MAX_CHUNK_REQUEST_BYTES,
                served.mostContentInAReply() + " bytes of content in one reply");
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void everyWaveIsWrittenWithItsOwnBytes() throws Exception {
        // Three waves and more through the writer's arena, which each wave overwrites: a wave written from a later
        // one's bytes would still be recorded with its peer's hashes, so only the bytes on disk tell.
        int files = (int) (3 * Transfer.WAVE_CONTENT_BYTES / (40 << 10)) + 10;
        for (int i = 0; i < files; i++) {
            write(dirA, "d" + i % 5 + "/f" + i + ".bin", TestFolders.randomBytes(i, (40 << 10) + i));
        }
        scan(a);
        ServedTree served = served(a);

        assertEquals(0, pull(b, a, served, new PullProgress()).deferred());

        assertEquals(0, served.chunkRequests());
        for (int i = 0; i < files; i++) {
            assertArrayEquals(TestFolders.randomBytes(i, (40 << 10) + i),
                    Files.readAllBytes(dirB.resolve("d" + i % 5 + "/f" + i + ".bin")), "f" + i);
        }
    }

    @Test
    void aFileBiggerThanTheLimitIsFetchedByChunks() throws Exception {
        byte[] big = TestFolders.randomBytes(7, TreeServer.MAX_INLINE_BYTES + 1);
        write(dirA, "big.bin", big);
        scan(a);
        ServedTree served = served(a);

        assertEquals(0, pull(b, a, served, new PullProgress()).deferred());

        assertTrue(served.chunkRequests() > 0);
        assertEquals(0, served.mostContentInAReply());
        assertArrayEquals(big, Files.readAllBytes(dirB.resolve("big.bin")));
    }

    @Test
    void theSenderSendsContentOnlyWhenAskedAndWithinItsBudget() throws Exception {
        for (int i = 0; i < 40; i++) {
            write(dirA, "f" + i + ".bin", TestFolders.randomBytes(i, TreeServer.MAX_INLINE_BYTES));
        }
        scan(a);
        TreeServer server = new TreeServer(a.index(), a.path());
        ChunkListRequest.Builder asked = ChunkListRequest.newBuilder();
        ChunkListRequest.Builder unasked = ChunkListRequest.newBuilder();
        for (int i = 0; i < 40; i++) {
            asked.addQueries(ChunkListQuery.newBuilder().setPath("f" + i + ".bin").setContent(true));
            unasked.addQueries(ChunkListQuery.newBuilder().setPath("f" + i + ".bin"));
        }

        long sent = server.chunkLists(asked.build()).getFilesList().stream()
                .filter(file -> !file.getContent().isEmpty()).count();

        assertEquals(TreeServer.MAX_CHUNK_REQUEST_BYTES / TreeServer.MAX_INLINE_BYTES, sent);
        assertTrue(server.chunkLists(unasked.build()).getFilesList().stream()
                .allMatch(file -> file.getContent().isEmpty() && file.getChunksCount() > 0));
    }

    @Test
    void aFirstMirrorAsksForItsFirstListsBeforeDecidingAndForNoListTwice() throws Exception {
        int files = 2 * Transfer.FIRST_WAVE + 10;
        for (int i = 0; i < files; i++) {
            write(dirA, "d" + i % 7 + "/f" + i + ".txt", "file " + i);
        }
        scan(a);
        PullProgress progress = new PullProgress();
        List<String> asked = new ArrayList<>();
        RemoteTree remote = listsNoted(served(a), progress, asked);

        assertEquals(0, pull(b, a, remote, progress).deferred());

        assertEquals(a.summary(), b.summary());
        assertEquals(Transfer.FIRST_WAVE + " before deciding", asked.get(0),
                "the first wave's lists are on their way before the round has decided anything: " + asked);
        assertEquals(files, asked.stream().mapToInt(note -> Integer.parseInt(note.split(" ")[0])).sum(),
                "each file's list asked for once: " + asked);
    }

    @Test
    void listsAskedForAheadAreNotUsedForAFileDecidedOtherwise() throws Exception {
        write(dirA, "same.txt", "the peer's");
        write(dirB, "same.txt", "ours, made apart: a conflict");
        write(dirA, "new.txt", "only the peer's");
        scan(a);
        scan(b);
        PullProgress progress = new PullProgress();
        List<String> asked = new ArrayList<>();

        assertEquals(0, pull(b, a, listsNoted(served(a), progress, asked), progress).deferred());

        assertTrue(asked.stream().noneMatch(note -> note.endsWith("before deciding")),
                "something of ours differs: what comes first depends on deciding: " + asked);
        assertEquals("only the peer's", Files.readString(dirB.resolve("new.txt")));
    }

    /**
     * {@code served}, noting for each chunk list request how many files it names and whether {@code progress} had
     * been told the round's plan yet ("N before deciding", "N after deciding").
     */
    private static RemoteTree listsNoted(ServedTree served, PullProgress progress, List<String> asked) {
        return new ForwardingTree(served) {
            @Override
            public CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request) {
                asked.add(request.getQueriesCount() + (progress.needFiles() == 0 ? " before" : " after") + " deciding");
                return super.chunkLists(request);
            }
        };
    }
}
