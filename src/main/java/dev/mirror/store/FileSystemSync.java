package dev.mirror.store;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Flushes a whole filesystem at once with Linux's {@code syncfs(2)}, through JNA (the JDK offers only per-file
 * fsync). Making a batch of received files durable with one flush costs about as much as one fsync, where an fsync
 * per file costs about 0.5 ms each here (FIELD-NOTES.md): the difference between seconds and a minute for 50,000
 * small files. Where syncfs cannot be called, {@link #isAvailable()} is false and callers fsync file by file.
 */
public final class FileSystemSync {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;

    private FileSystemSync() {
    }

    public static boolean isAvailable() {
        return LibC.AVAILABLE;
    }

    /**
     * The system's sentence for the errors a flush reports when the disk is full (with delayed allocation, that is
     * where a full disk shows), as Java words them elsewhere, so {@link DiskFull} knows them; else the number.
     */
    private static String reason(int errno) {
        return switch (errno) {
            case 28 -> "No space left on device";
            case 122 -> "Disk quota exceeded";
            case 5 -> "Input/output error";
            default -> "errno " + errno;
        };
    }

    /** Makes everything written to the filesystem that holds {@code path} durable. */
    public static void sync(Path path) throws IOException {
        if (!LibC.AVAILABLE) {
            throw new IllegalStateException("syncfs is not available here");
        }
        int fd;
        try {
            fd = LibC.open(LibC.cPath(path), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("Cannot open " + path + " to flush its filesystem (errno " + e.getErrorCode() + ")");
        }
        try {
            LibC.syncfs(fd);
        } catch (LastErrorException e) {
            // Like a failed fsync, final: the data may be lost; the caller must not record it as written.
            throw new IOException("Flushing the filesystem of " + path + " failed: " + reason(e.getErrorCode()));
        } finally {
            LibC.close(fd);
        }
    }
}
