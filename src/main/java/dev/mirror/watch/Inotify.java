package dev.mirror.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.mirror.core.CLibrary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Linux's inotify, called through the C library (JNA's direct mapping: each call a plain native method). The JDK's
 * watch service wraps the same calls in a poller thread that hands every event to the reader through a queue and a
 * wake-up, and it drops the bit that says whether a created name is a directory, so its users stat each one: in a
 * first mirror of 50,000 files that cost the receiving peer ~0.55 CPU-s. Here one thread reads whole batches of
 * events and is told which names are directories.
 *
 * <p>One reading thread calls {@link #read}; any thread may add or remove watches and {@link #wake} the reader.
 * {@link #close} only where the reader is not waiting in {@code read}: on its own thread, or once it has stopped.
 */
final class Inotify implements AutoCloseable {
    static final int IN_MODIFY = 0x2;
    static final int IN_ATTRIB = 0x4;
    static final int IN_MOVED_FROM = 0x40;
    static final int IN_MOVED_TO = 0x80;
    static final int IN_CREATE = 0x100;
    static final int IN_DELETE = 0x200;
    static final int IN_Q_OVERFLOW = 0x4000;
    static final int IN_IGNORED = 0x8000;
    static final int IN_ISDIR = 0x40000000;
    /** What the folder watcher asks to hear of: every change to a directory's children. */
    static final int CHANGES = IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE;
    /** Watch only directories, never through a symlink, and not for names already unlinked. */
    private static final int IN_ONLYDIR = 0x01000000;
    private static final int IN_DONT_FOLLOW = 0x02000000;
    private static final int IN_EXCL_UNLINK = 0x04000000;
    private static final int NONBLOCK = 0x800;
    private static final int CLOEXEC = 0x80000;
    private static final short POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    /** Room for a few thousand events per read (each 16 bytes and its name). */
    private static final int BUFFER_BYTES = 64 << 10;
    private static final int EVENT_HEADER_BYTES = 16;
    /** An event with the longest name (255 bytes), its NUL and padding. */
    private static final int LARGEST_EVENT_BYTES = EVENT_HEADER_BYTES + 256 + 16;

    static final boolean AVAILABLE = bind();

    private final int fd;
    private final int wakeFd;
    private final Memory buffer = new Memory(BUFFER_BYTES);
    private final Memory pollFds = new Memory(16);
    /** Guarded by this: once closed, the descriptors' numbers may be reused, so nothing may call with them. */
    private boolean closed;

    private Inotify(int fd, int wakeFd) {
        this.fd = fd;
        this.wakeFd = wakeFd;
    }

    /**
     * A new inotify instance.
     *
     * @throws InotifyException with {@link InotifyException#errno} EMFILE when the user's instance limit is reached
     */
    static Inotify open() throws InotifyException {
        if (!AVAILABLE) {
            throw new InotifyException("the C library's inotify calls could not be bound", 0);
        }
        int fd;
        try {
            fd = inotify_init1(NONBLOCK | CLOEXEC);
        } catch (LastErrorException e) {
            throw new InotifyException("inotify_init1", e.getErrorCode());
        }
        try {
            return new Inotify(fd, eventfd(0, NONBLOCK | CLOEXEC));
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new InotifyException("eventfd", e.getErrorCode());
        }
    }

    /**
     * Watches the directory {@code dir} (not following a symlink), or the same inode again; returns its watch
     * descriptor, the same for an inode already watched.
     */
    synchronized int watch(Path dir) throws InotifyException {
        if (closed) {
            throw new InotifyException("inotify_add_watch " + dir + " after close", 0);
        }
        try {
            return inotify_add_watch(fd, CLibrary.path(dir.toString()),
                    CHANGES | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK);
        } catch (LastErrorException e) {
            throw new InotifyException("inotify_add_watch " + dir, e.getErrorCode());
        }
    }

    /** Stops a watch; one already gone (its directory deleted) is no error. */
    synchronized void unwatch(int wd) {
        if (closed) {
            return;
        }
        try {
            inotify_rm_watch(fd, wd);
        } catch (LastErrorException e) {
            // EINVAL: the kernel removed it already, and an IN_IGNORED says so.
        }
    }

    /**
     * Waits for events and hands each one read to {@code events}, in order; returns false, having read nothing, once
     * {@link #wake} was called.
     */
    boolean read(Events events) throws IOException {
        if (!waitForEvents()) {
            return false;
        }
        while (true) {
            long read;
            try {
                read = read(fd, buffer, BUFFER_BYTES);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EAGAIN) {
                    return true; // all read
                }
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw new IOException("Reading inotify events failed (errno " + e.getErrorCode() + ")", e);
            }
            ByteBuffer batch = buffer.getByteBuffer(0, read).order(ByteOrder.nativeOrder());
            while (batch.remaining() >= EVENT_HEADER_BYTES) {
                int wd = batch.getInt();
                int mask = batch.getInt();
                batch.getInt(); // the cookie pairing a rename's two halves: each half is handled on its own here
                int length = batch.getInt();
                events.event(wd, mask, name(batch, length));
            }
            if (read <= BUFFER_BYTES - LARGEST_EVENT_BYTES) {
                // The read took all there was (it returns as many whole events as fit). Reading on until EAGAIN
                // would cost an exception, stack trace and all, per batch; what comes later wakes the next poll.
                return true;
            }
        }
    }

    /** Makes the reader's {@link #read} return false (now, or at its next call). */
    synchronized void wake() {
        if (closed) {
            return; // the reader is gone, and the descriptor's number may belong to something else by now
        }
        try {
            write(wakeFd, new long[] {1}, Long.BYTES);
        } catch (LastErrorException e) {
            // EAGAIN: the counter is full of earlier wake-ups, which is as good.
        }
    }

    /** Closes both descriptors, once; the watches go with them. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
            closeQuietly(wakeFd);
        }
    }

    /** One event: the watch it came from, what happened, and the child's name (null for the directory itself). */
    interface Events {
        void event(int wd, int mask, String name);
    }

    /** A failed inotify call, with the C library's error number. */
    static final class InotifyException extends IOException {
        final int errno;

        InotifyException(String call, int errno) {
            super(call + " failed (errno " + errno + ")");
            this.errno = errno;
        }
    }

    /** Blocks until the inotify descriptor has events (true) or the wake-up descriptor was written (false). */
    private boolean waitForEvents() throws IOException {
        while (true) {
            pollFds.setInt(0, fd);
            pollFds.setShort(4, POLLIN);
            pollFds.setShort(6, (short) 0);
            pollFds.setInt(8, wakeFd);
            pollFds.setShort(12, POLLIN);
            pollFds.setShort(14, (short) 0);
            try {
                poll(pollFds, 2, -1);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw new IOException("Waiting for inotify events failed (errno " + e.getErrorCode() + ")", e);
            }
            if (pollFds.getShort(14) != 0) {
                return false;
            }
            if (pollFds.getShort(6) != 0) {
                return true;
            }
        }
    }

    /** The NUL-padded name of {@code length} bytes at the buffer's position, which it moves past; null if empty. */
    private static String name(ByteBuffer batch, int length) {
        int start = batch.position();
        batch.position(start + length);
        int end = start;
        while (end < start + length && batch.get(end) != 0) {
            end++;
        }
        if (end == start) {
            return null;
        }
        byte[] bytes = new byte[end - start];
        batch.get(start, bytes);
        return CLibrary.name(bytes, bytes.length);
    }

    private static void closeQuietly(int descriptor) {
        try {
            close(descriptor);
        } catch (LastErrorException e) {
            // Nothing to do about it: the descriptor is gone either way.
        }
    }

    private static boolean bind() {
        return CLibrary.bind(Inotify.class, "the folder is scanned periodically instead of watched");
    }

    private static native int inotify_init1(int flags) throws LastErrorException;

    private static native int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

    private static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    private static native int eventfd(int initialValue, int flags) throws LastErrorException;

    private static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    private static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

    private static native long write(int fd, long[] value, long count) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;
}
