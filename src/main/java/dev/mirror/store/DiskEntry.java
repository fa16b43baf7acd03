package dev.mirror.store;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one name in a directory is right now, read without following a symlink.
 *
 * @param inode zero if unknown (see {@link #read})
 * @param ctimeNanos zero if unknown; then no {@link Expectation} of a file or symlink matches
 * @param symlinkTarget for a symlink whose identity is known, its target; otherwise null
 */
record DiskEntry(Kind kind, long size, long mtimeNanos, long inode, long ctimeNanos, String symlinkTarget) {
    static final DiskEntry ABSENT = new DiskEntry(Kind.ABSENT, 0, 0, 0, 0, null);

    /**
     * Reads the entry {@code name} of {@code dir}, whose path is {@code dirPath}. Type, size and mtime come from the
     * directory's descriptor ({@code fstatat} with no-follow), so a symlinked parent cannot redirect them. That view
     * lacks inode and ctime, so these are read through the path and kept only if the path leads to the same file
     * (equal device and inode, the JDK's file key): the ctime belongs to the inode, wherever it was reached from.
     */
    static DiskEntry read(SecureDirectoryStream<Path> dir, Path dirPath, String name) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return ABSENT;
        }
        Kind kind = kindOf(attributes);
        long inode = 0;
        long ctimeNanos = 0;
        String target = null;
        if (kind == Kind.FILE || kind == Kind.SYMLINK) {
            Path path = dirPath.resolve(name);
            try {
                Map<String, Object> unix = Files.readAttributes(path, "unix:ino,ctime,fileKey",
                        LinkOption.NOFOLLOW_LINKS);
                if (attributes.fileKey() != null && attributes.fileKey().equals(unix.get("fileKey"))) {
                    inode = (Long) unix.get("ino");
                    ctimeNanos = nanos((FileTime) unix.get("ctime"));
                    // RACE: the link may be replaced between the stat and this read; worst outcome: a link with
                    // the expected target but another inode is taken for the indexed one and kept in versions.
                    target = kind == Kind.SYMLINK ? Files.readSymbolicLink(path).toString() : null;
                }
            } catch (FileSystemException e) {
                // The path no longer leads to this entry (it changed meanwhile): identity unknown, matches nothing.
                inode = 0;
                ctimeNanos = 0;
                target = null;
            }
        }
        return new DiskEntry(kind, attributes.size(), nanos(attributes.lastModifiedTime()), inode, ctimeNanos,
                target);
    }

    /** Only the type of the entry {@code name} of {@code dir}, read through the descriptor without following it. */
    static Kind kind(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            return kindOf(dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes());
        } catch (NoSuchFileException e) {
            return Kind.ABSENT;
        }
    }

    /** True if this is exactly what {@code expected} describes. */
    boolean matches(Expectation expected) {
        if (expected instanceof Expectation.RegularFile file) {
            return kind == Kind.FILE && file.ctimeNanos() != 0 && size == file.size()
                    && mtimeNanos == file.mtimeNanos() && inode == file.inode() && ctimeNanos == file.ctimeNanos();
        }
        if (expected instanceof Expectation.Symlink link) {
            return kind == Kind.SYMLINK && link.ctimeNanos() != 0 && link.target().equals(symlinkTarget)
                    && inode == link.inode() && ctimeNanos == link.ctimeNanos();
        }
        return expected == Expectation.directory() ? kind == Kind.DIRECTORY : kind == Kind.ABSENT;
    }

    /** The expectation this entry meets, for the caller's index; a special file gets one that never matches. */
    Expectation toExpectation() {
        switch (kind) {
            case ABSENT:
                return Expectation.absent();
            case DIRECTORY:
                return Expectation.directory();
            case FILE:
                return Expectation.file(size, mtimeNanos, inode, ctimeNanos);
            case SYMLINK:
                return Expectation.symlink(symlinkTarget == null ? "" : symlinkTarget, inode, ctimeNanos);
            default:
                return Expectation.file(size, mtimeNanos, inode, 0);
        }
    }

    /** For messages, in the words of {@link Expectation#describe()}. */
    String describe() {
        switch (kind) {
            case ABSENT:
                return "nothing";
            case DIRECTORY:
                return "a directory";
            case FILE:
                return "a regular file of " + size + " bytes (mtime " + instant(mtimeNanos) + ", inode " + inode
                        + ", ctime " + instant(ctimeNanos) + ")";
            case SYMLINK:
                return "a symlink to " + (symlinkTarget == null ? "an unknown target"
                        : PathRejectedException.printable(symlinkTarget)) + " (inode " + inode + ", ctime "
                        + instant(ctimeNanos) + ")";
            default:
                return "a special file (FIFO, socket or device)";
        }
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static Kind kindOf(BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            return Kind.SYMLINK;
        }
        if (attributes.isDirectory()) {
            return Kind.DIRECTORY;
        }
        return attributes.isRegularFile() ? Kind.FILE : Kind.OTHER;
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }

    enum Kind { ABSENT, FILE, DIRECTORY, SYMLINK, OTHER }
}
