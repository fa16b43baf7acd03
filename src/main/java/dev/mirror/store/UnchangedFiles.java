package dev.mirror.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.mirror.core.NativeScratch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads a small file whole for a peer, but only while it is still the file the index describes: its bytes, if what
 * was read is a regular file of the indexed size and mtime, checked on the open file itself after reading (an edit
 * meanwhile changes the mtime; a file renamed over it leaves the one read, as indexed). A serving peer does this for
 * every small file a first mirror fetches, so it is four C library calls on one descriptor — open (no-follow, and
 * non-blocking, so a FIFO put there cannot hang the server), read, statx, close — where the JDK takes a channel with
 * its cleaner and a stat of the whole path again after reading (opening, stat'ing and closing took the sender
 * 0.4 CPU-s of the 50,000-file first mirror of {@code bench/}; with this, both peers together used ~0.1 CPU-s less).
 * Only where {@link #isAvailable()}; the caller reads through the JDK elsewhere. Thread-safe: it keeps no state.
 */
public final class UnchangedFiles {
    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_NONBLOCK = 04000; // the same on x86-64 and AArch64, the two DirectoryCalls knows
    private static final int OPEN_FLAGS = DirectoryCalls.O_RDONLY | DirectoryCalls.O_NOFOLLOW | DirectoryCalls.O_CLOEXEC
            | O_NONBLOCK;
    private static final int STATX_TYPE_SIZE_MTIME = 0x1 | 0x200 | 0x40;
    private static final int EINTR = 4;
    private static final byte[] EMPTY_PATH = {0};
    /** What one read takes at most: a small file served whole ({@code sync.TreeServer}'s inline limit). */
    private static final int READ_BYTES = 64 << 10;
    private static final ThreadLocal<NativeScratch> SCRATCH =
            ThreadLocal.withInitial(() -> new NativeScratch(READ_BYTES));

    private UnchangedFiles() {
    }

    public static boolean isAvailable() {
        return DirectoryCalls.AVAILABLE;
    }

    /**
     * The {@code size} bytes of {@code file} if it is, after they were read, a regular file of {@code size} bytes
     * last modified at {@code mtimeNanos}; null if it is not (changed, gone, a symlink or anything else), or cannot
     * be read now.
     */
    public static byte[] read(Path file, int size, long mtimeNanos) {
        byte[] data = new byte[size];
        return readChecked(file, size, mtimeNanos, fd -> readFully(fd, data)) ? data : null;
    }

    /**
     * As {@link #read}, into {@code target} (native memory, which it fills from its position to its limit): no array
     * to allocate, zero and copy into, for bytes that go on to a frame in native memory anyway. Whether it holds the
     * file's bytes now; if not, what it holds is undefined.
     */
    public static boolean readInto(Path file, long mtimeNanos, ByteBuffer target) {
        if (!target.isDirect()) {
            throw new IllegalArgumentException("reads go to native memory only");
        }
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(target)) + target.position();
        int size = target.remaining();
        return readChecked(file, size, mtimeNanos, fd -> preadFully(fd, address, size, 0));
    }

    /** Reads the file into memory of the caller's through {@code reader}, then checks it is still as indexed. */
    private static boolean readChecked(Path file, int size, long mtimeNanos, Reader reader) {
        int fd;
        try {
            fd = DirectoryCalls.openat(AT_FDCWD, LibC.cPath(file), OPEN_FLAGS);
        } catch (LastErrorException e) {
            return false; // gone, a symlink (ELOOP), unreadable: the asker waits for our next scan
        }
        try {
            return reader.fill(fd) && isAsIndexed(fd, size, mtimeNanos);
        } catch (IOException e) {
            return false;
        } finally {
            try {
                DirectoryCalls.close(fd);
            } catch (LastErrorException e) {
                // read only: nothing was written that a failed close could lose
            }
        }
    }

    /** Fills memory of the caller's from an open file; false if the file ends first. */
    private interface Reader {
        boolean fill(int fd) throws IOException;
    }

    /**
     * Fills {@code data} from the start of the file, through this thread's native scratch memory; false if the file
     * ends first. A regular file gives all it has in one read of up to 64 KiB (the small files served whole).
     */
    private static boolean readFully(int fd, byte[] data) throws IOException {
        NativeScratch scratch = SCRATCH.get();
        for (int done = 0; done < data.length; ) {
            int part = Math.min(data.length - done, READ_BYTES);
            if (!preadFully(fd, scratch.address(), part, done)) {
                return false;
            }
            scratch.get(0, data, done, part);
            done += part;
        }
        return true;
    }

    /** Reads {@code length} bytes at {@code offset} of the file to {@code address}; false if the file ends first. */
    private static boolean preadFully(int fd, long address, int length, long offset) throws IOException {
        for (int done = 0; done < length; ) {
            long read;
            try {
                read = DirectoryCalls.pread(fd, address + done, length - done, offset + done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw LibC.failure("Cannot read a file", e);
            }
            if (read <= 0) {
                return false;
            }
            done += (int) read;
        }
        return true;
    }

    private static boolean isAsIndexed(int fd, int size, long mtimeNanos) throws IOException {
        byte[] statx = new byte[DirectoryCalls.STATX_BYTES];
        try {
            DirectoryCalls.statx(fd, EMPTY_PATH, AT_EMPTY_PATH | DirectoryCalls.AT_SYMLINK_NOFOLLOW,
                    STATX_TYPE_SIZE_MTIME, statx);
        } catch (LastErrorException e) {
            throw LibC.failure("Cannot read the attributes of a file", e);
        }
        // struct statx (linux/stat.h), as NativeDirectory#stat reads it.
        ByteBuffer fields = ByteBuffer.wrap(statx).order(ByteOrder.nativeOrder());
        if ((fields.getInt(0) & STATX_TYPE_SIZE_MTIME) != STATX_TYPE_SIZE_MTIME) {
            return false;
        }
        return (fields.getShort(28) & NativeDirectory.S_IFMT) == NativeDirectory.S_IFREG && fields.getLong(40) == size
                && NativeDirectory.nanos(fields, 112) == mtimeNanos;
    }
}
