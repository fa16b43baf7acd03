package dev.mirror.store;

import com.sun.jna.LastErrorException;
import dev.mirror.core.CLibrary;
import dev.mirror.core.NativeScratch;

import java.util.Locale;

/**
 * The C library's calls relative to a directory descriptor that the JDK does not offer ({@link NativeDirectory}):
 * {@code renameat2} with its no-replace flag and {@code statx}, with the {@code openat} to get such descriptors and
 * the {@code readlinkat} to read a symlink found through them; and {@code pread}, for {@link UnchangedFiles}.
 * Bound apart from {@link LibC}, because both calls came with glibc 2.28: a library without them costs only this
 * shortcut, never syncfs. The open flags differ between architectures; they are known here for x86-64 and
 * AArch64, the two this project builds for (elsewhere {@link #AVAILABLE} is false).
 */
final class DirectoryCalls {
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000;
    static final int O_DIRECTORY;
    static final int O_NOFOLLOW;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int RENAME_NOREPLACE = 1;
    /** The fields {@link NativeDirectory#stat} needs: type and mode, inode, size, mtime and ctime. */
    static final int STATX_NEEDED = 0x1 | 0x2 | 0x100 | 0x200 | 0x40 | 0x80;
    /** Linux's PATH_MAX: no symlink target is longer, with room for the NUL it does not have. */
    static final int PATH_MAX = 4096;
    /** The size of {@code struct statx}, the same on every architecture. */
    static final int STATX_BYTES = 256;

    static final int ENOENT = 2;
    static final int ENOTDIR = 20;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int ELOOP = 40;
    static final int EOPNOTSUPP = 95;

    static final boolean AVAILABLE;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64");
        O_DIRECTORY = x86 ? 0200000 : 040000;
        O_NOFOLLOW = x86 ? 0400000 : 0100000;
        AVAILABLE = (x86 || arm) && System.getProperty("os.name", "").equals("Linux") && bind();
    }

    private DirectoryCalls() {
    }

    /** Three arguments: without O_CREAT the C library never reads openat's optional mode. */
    static native int openat(int dirfd, byte[] path, int flags) throws LastErrorException;

    static native int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
            throws LastErrorException;

    static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statx) throws LastErrorException;

    /** Returns the length of the target written into {@code buf}, which is not NUL-terminated. */
    static native long readlinkat(int dirfd, byte[] path, byte[] buf, long bufsiz) throws LastErrorException;

    static native int fsync(int fd) throws LastErrorException;

    /**
     * Reads up to {@code count} bytes at {@code offset} into the native memory at address {@code buf}; 0 at the end
     * of the file. An address, not an array, which JNA would copy in whole and back out ({@link NativeScratch}).
     */
    static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    private static boolean bind() {
        return CLibrary.bind(DirectoryCalls.class,
                "received files are installed through the JDK's directory streams alone");
    }
}
