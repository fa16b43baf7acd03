package dev.mirror.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file being received: made exclusively in {@code .mirror/tmp/} under a fresh name, written by the caller through
 * {@link #channel()} (at any offsets, in any order), then {@linkplain #seal sealed} and handed to
 * {@link FileInstaller#install}. It has no name in the folder until installed. If the install finds the target
 * changed, the sealed file stays, so the caller may install it under another name (a conflict copy). Closing deletes
 * it unless it was installed — or, for a {@linkplain PartFiles part}, unless it is still open for writing: an
 * unfinished part stays for the next attempt. Closing twice is safe. Used by one thread.
 */
public final class StagedFile implements AutoCloseable {
    /** Permission bits not known ({@link FileInstaller#bitsAfterCreation}): sealing sets the mode. */
    static final int BITS_UNKNOWN = -1;

    private final FileInstaller owner;
    private final Path path;
    private final FileChannel channel;
    /** Null for a file under a fresh name; for a part, gives up its hold once it is closed or installed. */
    private final Runnable releasePart;
    /** The permission bits it was made with, or {@link #BITS_UNKNOWN}: sealing sets them only if they differ. */
    private final int bitsNow;
    private State state = State.OPEN;
    private boolean durable;

    StagedFile(FileInstaller owner, Path path, FileChannel channel) {
        this(owner, path, channel, null);
    }

    StagedFile(FileInstaller owner, Path path, FileChannel channel, Runnable releasePart) {
        this(owner, path, channel, releasePart, BITS_UNKNOWN);
    }

    StagedFile(FileInstaller owner, Path path, FileChannel channel, Runnable releasePart, int bitsNow) {
        this.owner = owner;
        this.path = path;
        this.channel = channel;
        this.releasePart = releasePart;
        this.bitsNow = bitsNow;
    }

    /** Where to write, readable too (to verify); only until {@link #seal}. Closing it makes the seal fail. */
    public FileChannel channel() {
        requireState(State.OPEN, "written");
        return channel;
    }

    /**
     * Gives the file its mtime and permission bits, fsyncs data and metadata together, and closes it for writing.
     * An fsync error is final: the file is deleted and the error thrown; fetch the file again. Retrying the fsync
     * would be wrong: after a failed writeback Linux may mark the pages clean, so a second fsync can succeed with the
     * data gone (FIELD-NOTES.md). Any other failure here deletes the file too.
     *
     * @param mode permission bits; only those in 0777 are applied, so a peer never makes a setuid, setgid or sticky
     *             file here
     */
    public void seal(long mtimeNanos, int mode) throws IOException {
        requireState(State.OPEN, "sealed");
        try {
            setTimesAndMode(mtimeNanos, mode);
            channel.force(true);
            channel.close();
        } catch (IOException | RuntimeException e) {
            discard(e);
            throw e;
        }
        state = State.SEALED;
        durable = true;
    }

    /**
     * Closes the file for writing: what a writer does as soon as the last byte is written, so that it lets go of the
     * descriptor at once and leaves the seal ({@link #sealWithoutSync}) to whoever makes the file durable. A failure
     * deletes the file.
     */
    public void finishWriting() throws IOException {
        requireState(State.OPEN, "finished");
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            discard(e);
            throw e;
        }
        state = State.WRITTEN;
    }

    /**
     * As {@link #seal}, for a file {@linkplain #finishWriting finished} already (perhaps on another thread), and
     * without the fsync: the file must then go through {@link FileInstaller#flush} (with others: one flush for all)
     * before it can be installed.
     */
    public void sealWithoutSync(long mtimeNanos, int mode) throws IOException {
        requireState(State.WRITTEN, "sealed");
        try {
            setTimesAndMode(mtimeNanos, mode);
        } catch (IOException | RuntimeException e) {
            discard(e);
            throw e;
        }
        state = State.SEALED;
    }

    private void setTimesAndMode(long mtimeNanos, int mode) throws IOException {
        owner.setTimesAndMode(path, mtimeNanos, mode, bitsNow);
    }

    /**
     * The fsync {@link #sealWithoutSync} left out. Changes no state (it may run on a flushing thread); an error is
     * final, as in {@link #seal}: the caller closes the file.
     */
    void forceNow() throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            file.force(true);
        }
    }

    void markDurable() {
        durable = state == State.SEALED;
    }

    /** Its place in {@code .mirror/tmp/}, for logs and a journal. */
    public Path path() {
        return path;
    }

    public boolean isSealed() {
        return state == State.SEALED;
    }

    /**
     * Deletes the file unless it was installed; an unsealed part that holds something is kept instead (its verified
     * chunks serve the next attempt), but a sealed one is deleted: it was whole and is not wanted now.
     */
    @Override
    public void close() throws IOException {
        if (state == State.OPEN || state == State.WRITTEN || state == State.SEALED) {
            state = State.DISCARDED;
            try {
                boolean keep = releasePart != null && channel.isOpen() && channel.size() > 0;
                channel.close();
                if (!keep) {
                    Files.deleteIfExists(path);
                }
            } finally {
                release();
            }
        }
    }

    /** Its name in {@code .mirror/tmp/}, once sealed by {@code installer}. */
    String sealedName(FileInstaller installer) {
        if (installer != owner) {
            throw new IllegalArgumentException("a staged file can only be installed by the installer that made it");
        }
        requireState(State.SEALED, "installed");
        if (!durable) {
            throw new IllegalStateException("a staged file must be durable before it is installed (" + path + ")");
        }
        return path.getFileName().toString();
    }

    /** Called once it has its real name: from then on closing leaves it alone. */
    void markInstalled() {
        state = State.INSTALLED;
        release();
    }

    private void release() {
        if (releasePart != null) {
            releasePart.run();
        }
    }

    private void requireState(State required, String verb) {
        if (state != required) {
            throw new IllegalStateException("a staged file that is " + state.words + " cannot be " + verb
                    + " (" + path + ")");
        }
    }

    private void discard(Throwable cause) {
        state = State.DISCARDED;
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        release();
    }

    private enum State {
        OPEN("open"), WRITTEN("written"), SEALED("sealed"), INSTALLED("installed"), DISCARDED("discarded");

        final String words;

        State(String words) {
            this.words = words;
        }
    }
}
