package dev.mirror.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * Sets a file's mtime, to the nanosecond, with one {@code utimensat(2)} by path through JNA. The JDK opens the file,
 * sets the times on the descriptor and closes it: three system calls where one does, for every file a first mirror
 * writes (about 25 µs a file here, a second and more for 50,000 files). Where the call is not to be had (not Linux on
 * 64 bits, no JNA), the JDK does it.
 */
final class FileTimes {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int ENOENT = 2;
    /** A tv_nsec that leaves that time as it is. */
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final boolean NATIVE = Platform.isLinux() && Platform.is64Bit() && LibC.AVAILABLE;

    private FileTimes() {
    }

    /** Gives {@code file} (not followed if a symlink) the mtime {@code mtimeNanos}; its atime stays. */
    static void setMtime(Path file, long mtimeNanos) throws IOException {
        if (!NATIVE) {
            Files.setLastModifiedTime(file, FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS));
            return;
        }
        setMtime(AT_FDCWD, file.toString(), mtimeNanos);
    }

    /**
     * As {@link #setMtime(Path, long)}, for {@code name} (a path relative to the directory open as {@code dirFd}, or
     * absolute with {@code AT_FDCWD}); only where the native call is bound ({@link NativeDirectory}).
     */
    static void setMtime(int dirFd, String name, long mtimeNanos) throws IOException {
        long seconds = Math.floorDiv(mtimeNanos, 1_000_000_000L);
        long nanos = Math.floorMod(mtimeNanos, 1_000_000_000L);
        // struct timespec[2] on 64-bit Linux: {tv_sec, tv_nsec} for atime (left alone), then for mtime.
        long[] times = {0, UTIME_OMIT, seconds, nanos};
        try {
            LibC.utimensat(dirFd, LibC.cPath(name), times, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOENT) {
                throw new NoSuchFileException(name);
            }
            throw LibC.failure("Cannot set the modification time of " + name, e);
        }
    }
}
