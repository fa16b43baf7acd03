package dev.mirror.store;

import java.util.Objects;

/**
 * What the caller's index says is at a path now. {@link FileInstaller} changes a path only if the disk still shows
 * exactly this; anything else is a {@link TargetChangedException}. Immutable.
 */
public sealed interface Expectation {

    /** Nothing at the path. */
    static Expectation absent() {
        return Absent.INSTANCE;
    }

    /** A directory; for a delete, an empty one. */
    static Expectation directory() {
        return Directory.INSTANCE;
    }

    static Expectation file(long size, long mtimeNanos, long inode, long ctimeNanos) {
        return new RegularFile(size, mtimeNanos, inode, ctimeNanos);
    }

    static Expectation symlink(String target, long inode, long ctimeNanos) {
        return new Symlink(target, inode, ctimeNanos);
    }

    /** For messages: "nothing", "a directory", "a regular file of 5 bytes (…)". */
    String describe();

    /** Nothing at the path. */
    enum Absent implements Expectation {
        INSTANCE;

        @Override
        public String describe() {
            return "nothing";
        }
    }

    /** A directory; whatever it holds. */
    enum Directory implements Expectation {
        INSTANCE;

        @Override
        public String describe() {
            return "a directory";
        }
    }

    /**
     * A regular file as the last scan stat'ed it. The inode and ctime catch what size and mtime miss: an edit that
     * kept both, or another file renamed over this one.
     *
     * @param ctimeNanos zero means unknown (the index's {@code LocalStat.UNKNOWN}) and never matches: without it
     *                   mirror cannot rule out an edit that kept size and mtime
     */
    record RegularFile(long size, long mtimeNanos, long inode, long ctimeNanos) implements Expectation {
        public RegularFile {
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
        }

        @Override
        public String describe() {
            return "a regular file of " + size + " bytes (mtime " + DiskEntry.instant(mtimeNanos) + ", inode "
                    + inode + ", ctime " + DiskEntry.instant(ctimeNanos) + ")";
        }
    }

    /**
     * A symlink as the last scan saw it; it is never followed.
     *
     * @param ctimeNanos zero means unknown and never matches, as for {@link RegularFile}
     */
    record Symlink(String target, long inode, long ctimeNanos) implements Expectation {
        public Symlink {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String describe() {
            return "a symlink to " + PathRejectedException.printable(target) + " (inode " + inode + ", ctime "
                    + DiskEntry.instant(ctimeNanos) + ")";
        }
    }
}
