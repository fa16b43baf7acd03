package dev.mirror.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

/**
 * One mirror process per folder: an exclusive lock on {@code .mirror/lock}, which also records the holder's pid for
 * the message the next one prints. The kernel drops the lock when the process dies, even by kill -9, so a crash
 * never leaves the folder locked. Closing twice is safe.
 */
public final class FolderLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws AlreadyRunningException if another process (or this one) holds the lock */
    public static FolderLock acquire(StateDirectory state) throws IOException {
        FileChannel channel = FileChannel.open(state.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw alreadyRunning(state, channel);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            return new FolderLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new AlreadyRunningException("mirror is already running on " + state.folder()
                    + " in this process.");
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static AlreadyRunningException alreadyRunning(StateDirectory state, FileChannel channel)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        channel.close();
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return new AlreadyRunningException("mirror is already running on " + state.folder()
                + (pid.isEmpty() ? "" : " (pid " + pid + ")") + "; stop it first, or wait for it to finish.");
    }
}
