package dev.mirror.scan;

/**
 * What the file system says a directory entry is. {@code OTHER} (FIFO, socket, device) is never indexed;
 * {@code UNKNOWN} means it exists but could not be stat'ed, so whatever the index knew of it must be kept.
 */
public enum FileType { FILE, DIRECTORY, SYMLINK, OTHER, UNKNOWN }
