package dev.mirror.sync;

import dev.mirror.daemon.Folder;
import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a changed or renamed big file costs in chunk lists: its changed pages, or nothing. */
@Timeout(60)
class PagedListTest extends TwoFolderTest {
    /** Just over the size from which a list is asked for by pages: about 1,040 chunks. */
    static final int BIG_BYTES = (int) Transfer.PAGED_LIST_BYTES + (1 << 20);

    @Test
    void aByteInsertedAtTheHeadOfABigFileCostsItsChangedPagesOnly() throws Exception {
        byte[] old = TestFolders.randomBytes(11, BIG_BYTES);
        write(dirA, "big.bin", old);
        scan(a);
        scan(b);
        ServedTree first = served(a);
        pull(b, first);
        byte[] edited = new byte[old.length + 1];
        edited[0] = 42;
        System.arraycopy(old, 0, edited, 1, old.length);
        write(dirA, "big.bin", edited);
        scan(a);
        ServedTree second = served(a);

        PullProgress progress = pull(b, second);

        assertArrayEquals(edited, Files.readAllBytes(dirB.resolve("big.bin")));
        assertEquals(a.summary(), b.summary());
        assertTrue(second.chunkListBytes() < first.chunkListBytes() / 4,
                second.chunkListBytes() + " bytes of chunk lists, against " + first.chunkListBytes() + " for all");
        assertTrue(progress.receivedBytes() < 1 << 20, progress.receivedBytes() + " bytes of chunks");
    }

    @Test
    void aRenamedFileNeedsNoChunkListAndNoChunks() throws Exception {
        byte[] content = TestFolders.randomBytes(12, 3_000_000);
        write(dirA, "old-name.bin", content);
        scan(a);
        scan(b);
        pull(b, served(a));
        Files.move(dirA.resolve("old-name.bin"), dirA.resolve("new-name.bin"));
        scan(a);
        ServedTree served = served(a);

        PullProgress progress = pull(b, served);

        assertArrayEquals(content, Files.readAllBytes(dirB.resolve("new-name.bin")));
        assertTrue(Files.notExists(dirB.resolve("old-name.bin")));
        assertEquals(a.summary(), b.summary());
        assertEquals(0, served.chunkListBytes());
        assertEquals(0, progress.receivedBytes());
    }

    private PullProgress pull(Folder into, ServedTree from) throws Exception {
        PullProgress progress = new PullProgress();
        try (FileInstaller installer = FileInstaller.open(into.state(), into.clock())) {
            new PullRound(into.index(), into.path(), installer, new Reconciler(into.deviceId(), a.deviceId()), from,
                    progress).run(a.summary().treeHash());
        }
        return progress;
    }
}
