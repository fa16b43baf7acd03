package dev.mirror.sync;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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

    @Test
    void aFileRewrittenAfterTheScanIsDeferredAndTheOthersArrive() throws Exception {
        write(dirA, "big.bin", OLD);
        write(dirA, "other.txt", "unchanged");
        scan(a);
        scan(b);
        byte[] fresh = TestFolders.randomBytes(22, 1_200_000);
        write(dirA, "big.bin", fresh);

        assertDeferredThenSettles(fresh);
    }

    @Test
    void anEditKeepingSizeAndMtimeIsCaughtByTheChunkHash() throws Exception {
        Path big = write(dirA, "big.bin", OLD);
        write(dirA, "other.txt", "unchanged");
        FileTime mtime = Files.getLastModifiedTime(big);
        scan(a);
        scan(b);
        byte[] edited = OLD.clone();
        for (int i = 0; i < edited.length; i += 100_000) {
            edited[i] ^= 1; // every chunk changes, the size does not
        }
        Files.write(big, edited);
        Files.setLastModifiedTime(big, mtime);

        assertDeferredThenSettles(edited);
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

    private void assertDeferredThenSettles(byte[] now) throws Exception {
        PullRound.Outcome first = pull();

        assertEquals(1, first.deferred());
        assertEquals("unchanged", Files.readString(dirB.resolve("other.txt")), "the round finished the other file");
        assertTrue(Files.notExists(dirB.resolve("big.bin"), LinkOption.NOFOLLOW_LINKS), "nothing installed");

        scan(a);
        PullRound.Outcome second = pull();

        assertEquals(0, second.deferred());
        assertArrayEquals(now, Files.readAllBytes(dirB.resolve("big.bin")));
        assertEquals(a.summary(), b.summary());
    }

    private static void scan(Folder folder) throws IOException, InterruptedException {
        folder.scan(new ScanProgress());
    }

    private PullRound.Outcome pull() throws Exception {
        ServedTree remote = new ServedTree(new TreeServer(a.index(), a.path()));
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            return new PullRound(b.index(), b.path(), installer, new Reconciler(b.deviceId(), a.deviceId()), remote,
                    new PullProgress()).run(a.summary().treeHash());
        }
    }
}
