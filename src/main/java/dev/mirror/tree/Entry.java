package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.util.Objects;

/**
 * What every peer agrees on about one path: the fields that are hashed and sent. Local facts that only decide
 * whether to re-read a file live in {@link LocalStat}.
 *
 * @param contentHash file: hash over its chunk list; symlink: SHA-256 of the target; directory or tombstone: null
 * @param symlinkTarget the target of a symlink, otherwise null
 */
public record Entry(EntryKind kind, long size, long mtimeNanos, int mode, Hash contentHash, boolean deleted,
                    VersionVector version, String symlinkTarget) {

    public Entry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits beyond 07777: " + Integer.toOctalString(mode));
        }
        if (deleted && (size != 0 || mtimeNanos != 0 || mode != 0 || contentHash != null || symlinkTarget != null)) {
            throw new IllegalArgumentException("a tombstone carries no size, time, mode or content");
        }
        if (!deleted && (kind == EntryKind.DIRECTORY) != (contentHash == null)) {
            throw new IllegalArgumentException("a " + kind + " " + (contentHash == null ? "needs" : "has no")
                    + " content hash");
        }
        if ((kind == EntryKind.SYMLINK && !deleted) != (symlinkTarget != null)) {
            throw new IllegalArgumentException("only a live symlink has a target");
        }
    }

    public static Entry file(long size, long mtimeNanos, int mode, Hash contentHash, VersionVector version) {
        return new Entry(EntryKind.FILE, size, mtimeNanos, mode, contentHash, false, version, null);
    }

    public static Entry directory(int mode, VersionVector version) {
        return new Entry(EntryKind.DIRECTORY, 0, 0, mode, null, false, version, null);
    }

    public static Entry symlink(String target, Hash targetHash, long targetBytes, VersionVector version) {
        return new Entry(EntryKind.SYMLINK, targetBytes, 0, 0, targetHash, false, version, target);
    }

    /** The tombstone that replaces this entry when {@code device} deletes it. */
    public Entry deletedBy(long device) {
        return new Entry(kind, 0, 0, 0, null, true, version.bumped(device), null);
    }

    /** Same fields apart from the version vector. */
    public boolean sameContentAs(Entry other) {
        return kind == other.kind && size == other.size && mtimeNanos == other.mtimeNanos && mode == other.mode
                && deleted == other.deleted && Objects.equals(contentHash, other.contentHash)
                && Objects.equals(symlinkTarget, other.symlinkTarget);
    }

    public boolean isDirectory() {
        return kind == EntryKind.DIRECTORY;
    }

    public boolean isLive() {
        return !deleted;
    }
}
