package dev.mirror.store;

import com.sun.nio.file.ExtendedOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a staged file that is built front to back, with direct I/O (O_DIRECT) where the file system allows it.
 *
 * <p>Why: a big received file written through the page cache costs a copy of every byte into freshly allocated
 * cache pages (on this project's test machine, about 1.2 GB/s of one core, more than hashing it), and those dirty
 * pages must still be written out before the file is durable. Written directly, the bytes go from one reused buffer
 * to the disk, and the flush that makes the file durable finds its data already there. Small files gain nothing
 * (one write each, and the flush covers many at once), so {@link #open} uses direct I/O only from
 * {@link #DIRECT_MIN_BYTES}.
 *
 * <p>How: bytes are gathered in an aligned buffer and written in whole blocks at aligned offsets, as direct I/O
 * requires. What cannot go that way goes through the file's ordinary channel: the last partial block, and every
 * byte after a write that is not where the last one ended (a resumed part skips what it holds already). A file
 * system that refuses direct I/O (tmpfs on older kernels, some network and FUSE file systems) gets ordinary writes
 * throughout, as does a write that fails with direct I/O: the same bytes are written again the ordinary way. Used
 * by one thread.
 */
public final class FrontToBackWriter implements AutoCloseable {
    /** Files at least this big are written with direct I/O. */
    public static final long DIRECT_MIN_BYTES = 8L << 20;
    /** Bytes gathered before each direct write: big enough that a write's fixed cost is lost in its size. */
    static final int BUFFER_BYTES = 4 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(FrontToBackWriter.class);

    private final FileChannel file;
    private final Path path;
    /** Open while direct writing goes on; null once every write goes through {@link #file}. */
    private FileChannel direct;
    /** Reused between files by one writer thread; aligned to {@link #block}. */
    private final ByteBuffer buffer;
    /** The file system's block size: direct writes start and end on its multiples. */
    private final int block;
    /** Where the buffer's first byte belongs in the file; every byte before it is written. */
    private long bufferAt;

    /** {@code direct} is the file opened with O_DIRECT, or null for ordinary writes only (tests pass their own). */
    FrontToBackWriter(FileChannel file, Path path, FileChannel direct, Buffers buffers) {
        this.file = file;
        this.path = path;
        this.direct = direct;
        this.buffer = direct == null ? null : buffers.buffer.clear();
        this.block = direct == null ? 0 : buffers.block;
    }

    /**
     * A writer for the staged file at {@code path}, open as {@code file}, that will hold {@code size} bytes.
     * {@code buffers} lends the aligned buffer; it must outlive the writer.
     */
    public static FrontToBackWriter open(FileChannel file, Path path, long size, Buffers buffers) throws IOException {
        if (size < DIRECT_MIN_BYTES || file.size() > 0 || !buffers.allocateFor(path)) {
            return new FrontToBackWriter(file, path, null, null);
        }
        try {
            FileChannel direct = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            return new FrontToBackWriter(file, path, direct, buffers);
        } catch (IOException | UnsupportedOperationException e) {
            // EINVAL from a file system without O_DIRECT, or a JDK or platform that does not offer the option.
            LOG.debug("No direct I/O for {} ({}); writing it through the page cache", path, e.toString());
            return new FrontToBackWriter(file, path, null, null);
        }
    }

    /** Whether bytes still go straight to the disk; once not, they never will again for this file. */
    boolean writesDirectly() {
        return direct != null;
    }

    /** Writes all of {@code data} at {@code at}. */
    public void write(ByteBuffer data, long at) throws IOException {
        int start = data.position();
        if (direct != null && at != bufferAt + buffer.position()) {
            stopDirect();
        }
        while (direct != null && data.hasRemaining()) {
            int take = Math.min(data.remaining(), buffer.remaining());
            buffer.put(data.slice(data.position(), take));
            data.position(data.position() + take);
            if (!buffer.hasRemaining()) {
                buffer.flip();
                writeBlocks(buffer, bufferAt);
                bufferAt += buffer.limit();
                buffer.clear();
            }
        }
        writeFully(file, data, at + (data.position() - start));
    }

    /** Writes what is gathered still; the file then holds every byte written. Closes the direct channel. */
    public void finish() throws IOException {
        if (direct != null) {
            stopDirect();
        }
    }

    /**
     * Closes the direct channel, if open, without writing what is gathered (for a file that is given up). Never
     * fails: a direct write reports its errors itself, and the file's flush before it is installed checks the rest.
     */
    @Override
    public void close() {
        if (direct != null) {
            FileChannel open = direct;
            direct = null;
            try {
                open.close();
            } catch (IOException e) {
                LOG.debug("Closing the direct channel of {} failed: {}", path, e.toString());
            }
        }
    }

    /** Writes the whole blocks gathered with direct I/O, the rest ordinarily; from here on, ordinary writes only. */
    private void stopDirect() throws IOException {
        int whole = buffer.position() / block * block;
        buffer.flip();
        writeBlocks(buffer.slice(0, whole), bufferAt);
        writeFully(file, buffer.position(whole), bufferAt + whole);
        buffer.clear();
        close();
    }

    /** Writes whole blocks with direct I/O, or ordinarily if the file system refuses that (then for good). */
    private void writeBlocks(ByteBuffer blocks, long at) throws IOException {
        if (direct != null) {
            try {
                writeFully(direct, blocks.duplicate(), at);
                return;
            } catch (IOException e) {
                // Some file systems accept O_DIRECT at open and refuse the write (EINVAL); the bytes are still here.
                LOG.debug("Direct write to {} failed ({}); writing it through the page cache", path, e.toString());
                close();
            }
        }
        writeFully(file, blocks.duplicate(), at);
    }

    private static void writeFully(FileChannel channel, ByteBuffer data, long at) throws IOException {
        for (long position = at; data.hasRemaining(); ) {
            position += channel.write(data, position);
        }
    }

    /**
     * One aligned buffer, lent to the writers of one thread in turn. Their files are all staged in one directory
     * ({@code .mirror/tmp/}), so the file system's block size is read once, for the first big file: reading it means
     * reading the mount table.
     */
    public static final class Buffers {
        private boolean decided;
        private ByteBuffer buffer;
        private int block;

        /** Whether there is a buffer aligned for the file system of {@code path} (decided on first use). */
        boolean allocateFor(Path path) {
            if (!decided) {
                decided = true;
                long wanted = blockSize(path);
                if (wanted > 0 && wanted <= BUFFER_BYTES && Long.bitCount(wanted) == 1) {
                    block = (int) wanted;
                    buffer = ByteBuffer.allocateDirect(BUFFER_BYTES + block).alignedSlice(block).limit(BUFFER_BYTES)
                            .slice();
                }
            }
            return buffer != null;
        }

        /** The block size of the file system holding {@code path}, or 0 if it cannot be had. */
        private static long blockSize(Path path) {
            try {
                return Files.getFileStore(path).getBlockSize();
            } catch (IOException | UnsupportedOperationException e) {
                // The JDK reads the block size from the mount table; a platform without one gives none.
                LOG.debug("No block size for {} ({}); writing it through the page cache", path, e.toString());
                return 0;
            }
        }
    }
}
