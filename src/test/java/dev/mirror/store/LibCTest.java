package dev.mirror.store;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The direct binding binds where it must: without it, a first mirror falls back to an fsync per file. */
class LibCTest {
    @TempDir
    Path dir;

    @Test
    void theCallsAreBoundOnLinux() throws IOException {
        assumeTrue(Platform.isLinux() && Platform.is64Bit(), "the binding is for 64-bit Linux");
        assertTrue(LibC.AVAILABLE, "the C library is bound");
        assertTrue(FileSystemSync.isAvailable(), "syncfs is available");
        Files.writeString(dir.resolve("a"), "a");
        FileSystemSync.sync(dir); // does not throw
    }

    @Test
    void anErrorOfTheCallComesBackAsAnIOException() {
        assumeTrue(LibC.AVAILABLE, "the C library is bound");
        IOException e = assertThrows(IOException.class, () -> FileSystemSync.sync(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("errno 2"), e.getMessage());
    }
}
