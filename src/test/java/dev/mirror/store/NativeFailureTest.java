package dev.mirror.store;

import com.sun.jna.LastErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A C library call that fails says so as the JDK would, so a full disk is known whichever way the call was made. */
class NativeFailureTest {
    @TempDir
    Path folder;

    @Test
    void aFullDiskOrQuotaIsRecognisedInACallMadeThroughTheCLibrary() {
        // A rename into a directory that needs a new block fails so on a full disk (seen on ext4 in a bench run).
        assertTrue(DiskFull.is(LibC.failure("Cannot rename a.part to a.txt", new LastErrorException(28))));
        assertTrue(DiskFull.is(LibC.failure("Cannot rename a.part to a.txt", new LastErrorException(122))));
        assertFalse(DiskFull.is(LibC.failure("Cannot rename a.part to a.txt", new LastErrorException(20))));
    }

    @Test
    void aFailedCallNamesWhatFailedAndKeepsTheCLibrarysError() throws IOException {
        assumeTrue(NativeDirectory.isAvailable(), "statx is bound here");
        Files.writeString(folder.resolve("file"), "not a directory");
        try (NativeDirectory dir = NativeDirectory.open(folder)) {
            IOException e = assertThrows(IOException.class, () -> dir.stat("file/below"));

            assertEquals("Cannot read the attributes of file/below: errno 20", e.getMessage());
            assertEquals(20, assertInstanceOf(LastErrorException.class, e.getCause()).getErrorCode());
        }
    }
}
