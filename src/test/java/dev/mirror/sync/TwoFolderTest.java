package dev.mirror.sync;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the sync engine's tests start from: two real folders in temporary directories, each opened for work (lock,
 * identity, RocksDB index), {@code a} usually the one pulled from and {@code b} the one pulling. Closed after each
 * test.
 */
abstract class TwoFolderTest {
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    Folder a;
    Folder b;

    @BeforeEach
    void openFolders() throws IOException {
        a = Folder.open(dirA, TestFolders.AHEAD, 2);
        b = Folder.open(dirB, TestFolders.AHEAD, 2);
    }

    @AfterEach
    void closeFolders() throws IOException {
        a.close();
        b.close();
    }

    /** One pull round of {@code into} from {@code from}, served in this process (no link). */
    static PullRound.Outcome pull(Folder into, Folder from, PullProgress progress) throws Exception {
        return pull(into, from, served(from), progress);
    }

    /** One pull round of {@code into} from {@code from}, whose tree {@code remote} serves. */
    static PullRound.Outcome pull(Folder into, Folder from, RemoteTree remote, PullProgress progress)
            throws Exception {
        try (FileInstaller installer = FileInstaller.open(into.state(), into.clock())) {
            return new PullRound(into.index(), into.path(), installer,
                    new Reconciler(into.deviceId(), from.deviceId()), remote, progress)
                    .run(from.summary().treeHash());
        }
    }

    /** Indexes {@code folder} whole. */
    static void scan(Folder folder) throws IOException, InterruptedException {
        folder.scan(new ScanProgress());
    }

    /** {@code folder}'s tree, served in this process. */
    static ServedTree served(Folder folder) {
        return new ServedTree(new TreeServer(folder.index(), folder.path()));
    }

    static PullRound.Outcome pull(Folder into, Folder from) throws Exception {
        return pull(into, from, new PullProgress());
    }
}
