package dev.mirror.scan;

import java.util.Objects;

/**
 * One directory entry as lstat(2) saw it (links are never followed).
 *
 * @param mode permission bits only (07777)
 * @param symlinkTarget for a symlink, its target as read right after the stat; otherwise null
 */
public record FileStat(String name, FileType type, long size, long mtimeNanos, int mode, long inode,
                       long ctimeNanos, String symlinkTarget) {
    public FileStat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** True if nothing that could reveal a change of content differs between the two stats. */
    public boolean sameAs(FileStat other) {
        return type == other.type && size == other.size && mtimeNanos == other.mtimeNanos && mode == other.mode
                && inode == other.inode && ctimeNanos == other.ctimeNanos;
    }
}
