package dev.mirror.tree;

/**
 * What this machine alone knows about a file, to decide whether it must be read again: an inode or ctime that
 * moved means the content may have changed even if size and mtime did not. Never hashed, never sent.
 *
 * @param ctimeNanos zero means unknown, which forces a re-read on the next scan
 */
public record LocalStat(long inode, long ctimeNanos) {
    public static final LocalStat UNKNOWN = new LocalStat(0, 0);
}
