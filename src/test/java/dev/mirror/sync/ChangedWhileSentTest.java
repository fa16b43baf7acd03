package dev.mirror.sync;

import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.FileChunks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file the sender changed after its scan, before the receiver fetched it: the sender answers its chunks as missing,
 * the receiver installs nothing of it this round but finishes the others, and takes the new content once the sender
 * has scanned again.
 */
class ChangedWhileSentTest extends TwoFolderTest {
    private static final byte[] OLD = TestFolders.randomBytes(21, 1_500_000);
    /** Small enough to come with its chunk list (TreeServer.MAX_INLINE_BYTES), which is checked the same way. */
    private static final byte[] SMALL = TestFolders.randomBytes(23, 40_000);

    @Test
    void aFileRewrittenAfterTheScanIsDeferredAndTheOthersArrive() throws Exception {
        write(dirA, "big.bin", OLD);
        write(dirA, "other.txt", "unchanged");
        scan(a);
        scan(b);
        byte[] fresh = TestFolders.randomBytes(22, 1_200_000);
        write(dirA, "big.bin", fresh);

        assertDeferredThenSettles("big.bin", fresh);
    }

    @Test
    void aSmallFileRewrittenAfterTheScanComesWithoutItsContentAndIsDeferred() throws Exception {
        write(dirA, "small.bin", SMALL);
        write(dirA, "other.txt", "unchanged");
        scan(a);
        scan(b);
        byte[] fresh = TestFolders.randomBytes(24, 30_000);
        write(dirA, "small.bin", fresh);

        assertDeferredThenSettles("small.bin", fresh);
    }

    @Test
    void anEditKeepingSizeAndMtimeIsCaughtByTheChunkHash() throws Exception {
        assertEditKeepingSizeAndMtimeCaught("big.bin", OLD);
    }

    @Test
    void anEditKeepingSizeAndMtimeOfASmallFileIsCaughtByTheChunkHash() throws Exception {
        assertEditKeepingSizeAndMtimeCaught("small.bin", SMALL);
    }

    @ParameterizedTest(name = "read through the C library: {0}")
    @ValueSource(booleans = {true, false})
    void theSenderSendsNoContentOfAChangedSmallFile(boolean nativeReads) throws Exception {
        Path small = write(dirA, "small.bin", SMALL);
        scan(a);
        ChunkListRequest withContent = ChunkListRequest.newBuilder()
                .addQueries(ChunkListQuery.newBuilder().setPath("small.bin").setContent(true)).build();
        TreeServer server = new TreeServer(a.index(), a.path());
        if (!nativeReads) {
            server.withoutNativeReads();
        }
        assertArrayEquals(SMALL, server.chunkLists(withContent).getFiles(0).getContent().toByteArray(),
                "unchanged: sent");

        Files.setLastModifiedTime(small, FileTime.fromMillis(Files.getLastModifiedTime(small).toMillis() + 1_000));

        FileChunks listed = server.chunkLists(withContent).getFiles(0);
        assertTrue(listed.getContent().isEmpty(), "same bytes, but the file is not as indexed");
        assertEquals(a.index().chunks(TreePath.of("small.bin")).count(), listed.getChunksCount(),
                "the list as indexed still comes");
    }

    @Test
    void theSenderAnswersAChunkOfAChangedFileAsMissing() throws Exception {
        Path big = write(dirA, "big.bin", OLD);
        scan(a);
        ChunkRequest first = ChunkRequest.newBuilder()
                .addHashes(WireHashes.bytes(a.index().chunks(TreePath.of("big.bin")).hash(0))).build();
        TreeServer server = new TreeServer(a.index(), a.path());
        assertFalse(server.chunks(first).getChunks(0).getMissing(), "unchanged: served");

        Files.setLastModifiedTime(big, FileTime.fromMillis(Files.getLastModifiedTime(big).toMillis() + 1_000));

        assertTrue(server.chunks(first).getChunks(0).getMissing(), "same bytes, but the file is not as indexed");
    }

    private void assertEditKeepingSizeAndMtimeCaught(String name, byte[] old) throws Exception {
        Path file = write(dirA, name, old);
        write(dirA, "other.txt", "unchanged");
        FileTime mtime = Files.getLastModifiedTime(file);
        scan(a);
        scan(b);
        byte[] edited = old.clone();
        for (int i = 0; i < edited.length; i += 10_000) {
            edited[i] ^= 1; // every chunk changes, the size does not
        }
        Files.write(file, edited);
        Files.setLastModifiedTime(file, mtime);

        assertDeferredThenSettles(name, edited);
    }

    private void assertDeferredThenSettles(String name, byte[] now) throws Exception {
        PullRound.Outcome first = pull();

        assertEquals(1, first.deferred());
        assertEquals("unchanged", Files.readString(dirB.resolve("other.txt")), "the round finished the other file");
        assertTrue(Files.notExists(dirB.resolve(name), LinkOption.NOFOLLOW_LINKS), "nothing installed");

        scan(a);
        PullRound.Outcome second = pull();

        assertEquals(0, second.deferred());
        assertArrayEquals(now, Files.readAllBytes(dirB.resolve(name)));
        assertEquals(a.summary(), b.summary());
    }

    private PullRound.Outcome pull() throws Exception {
        ServedTree remote = new ServedTree(new TreeServer(a.index(), a.path()));
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            return new PullRound(b.index(), b.path(), installer, new Reconciler(b.deviceId(), a.deviceId()), remote,
                    new PullProgress()).run(a.summary().treeHash());
        }
    }
}
