package dev.mirror.scan;

import java.util.Objects;

/**
 * A file's content as read, with the stat taken before reading, which still held after reading.
 *
 * @param racy true if the file was modified so shortly before it was read that a later change could keep the
 *             same timestamps; such a file must be read again by the next scan
 */
public record HashedFile(FileStat stat, ChunkList chunks, boolean racy) {
    public HashedFile {
        Objects.requireNonNull(stat, "stat");
        Objects.requireNonNull(chunks, "chunks");
    }
}
