package dev.mirror.sync;

import dev.mirror.daemon.Folder;
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
}
