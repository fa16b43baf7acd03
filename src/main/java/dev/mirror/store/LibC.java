package dev.mirror.store;

import com.sun.jna.LastErrorException;
import dev.mirror.core.CLibrary;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The calls of the C library that the JDK does not offer ({@link FileSystemSync}, {@link FileTimes}), bound once
 * through JNA's direct mapping: each call is a plain native method, without the proxy, reflection and argument
 * conversion of an interface mapping (about 4 µs a call here, for every file a first mirror writes). Where the
 * library cannot be bound, {@link #AVAILABLE} is false and each user does without.
 */
final class LibC {
    static final boolean AVAILABLE = bind();

    private LibC() {
    }

    /** {@code path} as {@link #cPath} encodes it. */
    static native int open(byte[] path, int flags) throws LastErrorException;

    static native int syncfs(int fd) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /** {@code times} is a {@code struct timespec[2]} as 64-bit Linux lays it out: four longs. */
    static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

    static native int fchmodat(int dirfd, byte[] path, int mode, int flags) throws LastErrorException;

    /** {@code path} as the C calls take it ({@link CLibrary#path}). */
    static byte[] cPath(Path path) {
        return CLibrary.path(path.toString());
    }

    /** A path or a name given as a string, as the C calls take it ({@link CLibrary#path}). */
    static byte[] cPath(String path) {
        return CLibrary.path(path);
    }

    /** The first {@code length} bytes of {@code name} decoded as the JDK decodes file names. */
    static String fromC(byte[] name, int length) {
        return CLibrary.name(name, length);
    }

    private static boolean bind() {
        return CLibrary.bind(LibC.class, "files are fsynced one by one and mtimes are set by the JDK");
    }

    /**
     * The failure of a call, worded as the JDK words the same error, so that callers who read the sentence (above
     * all {@link DiskFull}, for a full disk or quota, which can fail a rename as well as a write or a flush) need not
     * know which way the call was made. The C library's error stays attached as the cause.
     */
    static IOException failure(String what, LastErrorException e) {
        return new IOException(what + ": " + reason(e.getErrorCode()), e);
    }

    private static String reason(int errno) {
        return switch (errno) {
            case 28 -> "No space left on device";
            case 122 -> "Disk quota exceeded";
            case 5 -> "Input/output error";
            default -> "errno " + errno;
        };
    }
}
