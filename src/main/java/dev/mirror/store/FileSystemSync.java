package dev.mirror.store;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Flushes a whole filesystem at once with Linux's {@code syncfs(2)}, through JNA (the JDK offers only per-file
 * fsync). Making a batch of received files durable with one flush costs about as much as one fsync, where an fsync
 * per file costs about 0.5 ms each here (FIELD-NOTES.md): the difference between seconds and a minute for 50,000
 * small files. Where syncfs cannot be called, {@link #isAvailable()} is false and callers fsync file by file.
 */
public final class FileSystemSync {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final LongAdder FLUSHES = new LongAdder();

    private FileSystemSync() {
    }

    public static boolean isAvailable() {
        return LibC.AVAILABLE;
    }

    /** How many flushes this process has made: what durability costs a transfer, which tests count. */
    public static long flushesMade() {
        return FLUSHES.sum();
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
            throw LibC.failure("Cannot open " + path + " to flush its filesystem", e);
        }
        try {
            FLUSHES.increment();
            LibC.syncfs(fd);
        } catch (LastErrorException e) {
            // Like a failed fsync, final: the data may be lost; the caller must not record it as written. With delayed
            // allocation, this is where a full disk shows.
            throw LibC.failure("Flushing the filesystem of " + path + " failed", e);
        } finally {
            LibC.close(fd);
        }
    }
}
