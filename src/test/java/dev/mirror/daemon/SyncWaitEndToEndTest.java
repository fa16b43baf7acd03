package dev.mirror.daemon;

import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code wait-in-sync} on the control socket of real peers ({@code mirror status --wait}): the answer comes when the
 * folder holds what its peer holds, and a wait given the root from before a change lasts until that change is here.
 */
class SyncWaitEndToEndTest extends EndToEndTest {
    private static final long WAIT_MILLIS = 20_000;

    @Test
    void aWaitEndsWhenTheFolderHoldsWhatItsPeerHolds() throws Exception {
        Path a = peers.folder("a");
        Path b = peers.folder("b");
        byte[] big = TestFolders.randomBytes(7, 3 << 20);
        TestFolders.write(a, "data/big.bin", big);
        Daemon inviter = peers.start(a, Optional.empty());
        Daemon joiner = peers.start(b, Optional.of(inviter.invite()));

        assertEquals(Optional.of(SyncWaits.IN_SYNC), ask(b, ControlClient.waitInSync(WAIT_MILLIS)));
        assertArrayEquals(big, Files.readAllBytes(b.resolve("data/big.bin")));
        assertEquals(inviter.root(), joiner.root());

        String before = joiner.root().hex();
        TestFolders.write(a, "data/new.txt", "new");

        assertEquals(Optional.of(SyncWaits.IN_SYNC), ask(b, ControlClient.waitInSync(WAIT_MILLIS) + " " + before));
        assertEquals("new", Files.readString(b.resolve("data/new.txt")));
    }

    @Test
    void aWaitOnAFolderPairedWithNobodyTimesOut() throws Exception {
        Path a = peers.folder("a");
        peers.start(a, Optional.empty());

        assertEquals(Optional.of(SyncWaits.TIMED_OUT), ask(a, ControlClient.waitInSync(100)));
    }

    private static Optional<String> ask(Path folder, String command) throws Exception {
        return ControlClient.ask(folder.resolve(".mirror"), command);
    }
}
