package dev.mirror.sync;

import dev.mirror.testing.TestFolders;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

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

}
