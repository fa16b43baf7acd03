package dev.mirror.store;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A directory held open by its descriptor through the C library, for the step of an install the JDK can do neither
 * safely nor cheaply: putting a received file at a name where nothing is. {@code renameat2} with
 * {@code RENAME_NOREPLACE} refuses when something is there, in the same call that renames, so a file the user
 * creates at that name a moment before is never replaced (a look first and a plain rename after leave a window
 * between the two); and one {@code statx} reads everything the index records of the result, where the JDK takes two
 * stats and an exception for a name that is absent. Opened below a folder one name at a time, each name relative to
 * the directory before it with O_NOFOLLOW, as {@link DirectoryWalker} does: no symlink is ever followed. Only where
 * {@link DirectoryCalls#AVAILABLE}; one thread at a time.
 */
final class NativeDirectory implements AutoCloseable {
    /** What became of a rename that must not replace anything. */
    enum Renamed {
        DONE,
        /** Something is at the target name: nothing was moved. */
        TAKEN,
        /** The file system, or the kernel, does not refuse on its own: nothing was moved; look, then rename. */
        UNSUPPORTED
    }

    private static final int OPEN_DIRECTORY = DirectoryCalls.O_RDONLY | DirectoryCalls.O_DIRECTORY
            | DirectoryCalls.O_NOFOLLOW | DirectoryCalls.O_CLOEXEC;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    private final int fd;
    private final byte[] statx = new byte[DirectoryCalls.STATX_BYTES];
    private boolean closed;

    private NativeDirectory(int fd) {
        this.fd = fd;
    }

    static boolean isAvailable() {
        return DirectoryCalls.AVAILABLE;
    }

    /**
     * Gives the file {@code name} here (not followed if a symlink) the mtime {@code mtimeNanos}, to the nanosecond,
     * and the permission bits {@code permissionBits} (0777 at most; negative: leave them as they are).
     */
    void setMtimeAndMode(String name, long mtimeNanos, int permissionBits) throws IOException {
        FileTimes.setMtime(fd, name, mtimeNanos);
        if (permissionBits < 0) {
            return; // it has them already
        }
        try {
            LibC.fchmodat(fd, LibC.cPath(name), permissionBits, 0);
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot set the permissions of " + name, e);
        }
    }

    /** Opens {@code dir} by its path (symlinks on the way followed, as the JDK opens the folder itself). */
    static NativeDirectory open(Path dir) throws IOException {
        try {
            return new NativeDirectory(DirectoryCalls.openat(-100 /* AT_FDCWD */, LibC.cPath(dir),
                    DirectoryCalls.O_RDONLY | DirectoryCalls.O_DIRECTORY | DirectoryCalls.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot open the directory " + dir, e);
        }
    }

    /**
     * Opens the directory {@code names} below this one, never through a symlink; the caller closes it.
     *
     * @return null if one of them is missing, a symlink or not a directory: the caller takes the JDK's way, which
     *         makes what is missing or says what is wrong
     */
    NativeDirectory openBelow(List<String> names) throws IOException {
        int at = fd;
        try {
            for (String name : names) {
                int next;
                try {
                    next = DirectoryCalls.openat(at, LibC.cPath(name), OPEN_DIRECTORY);
                } catch (LastErrorException e) {
                    int errno = e.getErrorCode();
                    if (errno == DirectoryCalls.ENOENT || errno == DirectoryCalls.ELOOP
                            || errno == DirectoryCalls.ENOTDIR) {
                        closeBelow(at);
                        return null;
                    }
                    throw LibC.failure("Cannot open the directory " + name, e);
                }
                closeBelow(at);
                at = next;
            }
            return new NativeDirectory(at == fd ? reopen() : at);
        } catch (IOException | RuntimeException e) {
            closeBelow(at);
            throw e;
        }
    }

    /**
     * Renames {@code name} of this directory to {@code toName} in {@code to}, unless something is there.
     *
     * @throws NoSuchFileException if {@code name} or the target directory is gone
     */
    Renamed renameNoReplace(String name, NativeDirectory to, String toName) throws IOException {
        try {
            DirectoryCalls.renameat2(fd, LibC.cPath(name), to.fd, LibC.cPath(toName),
                    DirectoryCalls.RENAME_NOREPLACE);
            return Renamed.DONE;
        } catch (LastErrorException e) {
            switch (e.getErrorCode()) {
                case DirectoryCalls.EEXIST:
                    return Renamed.TAKEN;
                case DirectoryCalls.EINVAL, DirectoryCalls.ENOSYS, DirectoryCalls.EOPNOTSUPP:
                    return Renamed.UNSUPPORTED;
                case DirectoryCalls.ENOENT:
                    throw new NoSuchFileException(toName, null, "the file or its directory is gone");
                default:
                    throw LibC.failure("Cannot rename " + name + " to " + toName, e);
            }
        }
    }

    /** What {@code name} is now, read without following it, a symlink with its target. */
    DiskEntry stat(String name) throws IOException {
        try {
            DirectoryCalls.statx(fd, LibC.cPath(name), DirectoryCalls.AT_SYMLINK_NOFOLLOW, DirectoryCalls.STATX_NEEDED,
                    statx);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == DirectoryCalls.ENOENT) {
                return DiskEntry.ABSENT;
            }
            throw LibC.failure("Cannot read the attributes of " + name, e);
        }
        // struct statx (linux/stat.h): the layout is fixed, in the machine's byte order.
        ByteBuffer fields = ByteBuffer.wrap(statx).order(ByteOrder.nativeOrder());
        int mask = fields.getInt(0);
        if ((mask & DirectoryCalls.STATX_NEEDED) != DirectoryCalls.STATX_NEEDED) {
            throw new IOException("The file system gave no inode, size or times for " + name);
        }
        int type = (fields.getShort(28) & 0xffff) & S_IFMT;
        DiskEntry.Kind kind = switch (type) {
            case S_IFREG -> DiskEntry.Kind.FILE;
            case S_IFDIR -> DiskEntry.Kind.DIRECTORY;
            case S_IFLNK -> DiskEntry.Kind.SYMLINK;
            default -> DiskEntry.Kind.OTHER;
        };
        // RACE: the link may be replaced between the statx and the readlinkat; worst outcome, as in DiskEntry.read:
        // a link with the expected target but another inode is taken for the one recorded, and kept in versions.
        String target = kind == DiskEntry.Kind.SYMLINK ? readLink(name) : null;
        return new DiskEntry(kind, fields.getLong(40), nanos(fields, 112), fields.getLong(32), nanos(fields, 96),
                target);
    }

    private String readLink(String name) throws IOException {
        byte[] target = new byte[DirectoryCalls.PATH_MAX];
        try {
            return LibC.fromC(target, (int) DirectoryCalls.readlinkat(fd, LibC.cPath(name), target, target.length));
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot read the symlink " + name, e);
        }
    }

    /** fsync(2) of this directory: the names renamed into it survive a crash. */
    void sync() throws IOException {
        try {
            DirectoryCalls.fsync(fd);
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot flush a directory", e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }

    /** A second descriptor of this directory, for a caller that closes what it is given. */
    private int reopen() throws IOException {
        try {
            return DirectoryCalls.openat(fd, LibC.cPath("."), OPEN_DIRECTORY);
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot open a directory again", e);
        }
    }

    private void closeBelow(int at) {
        if (at != fd) {
            closeQuietly(at);
        }
    }

    private static void closeQuietly(int descriptor) {
        try {
            DirectoryCalls.close(descriptor);
        } catch (LastErrorException e) {
            // close(2) of a directory only fails for a bad descriptor: nothing to flush, nothing lost.
        }
    }

    /** A {@code struct statx_timestamp} at {@code offset}: seconds (64 bits), then nanoseconds (32). */
    static long nanos(ByteBuffer fields, int offset) {
        return fields.getLong(offset) * 1_000_000_000L + (fields.getInt(offset + 8) & 0xffffffffL);
    }
}
