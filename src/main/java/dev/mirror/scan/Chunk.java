package dev.mirror.scan;

import dev.mirror.core.Hash;
import java.util.Objects;

/**
 * One content-defined chunk of a file: where it starts, how long it is, and the SHA-256 of its bytes, which names
 * it in the chunk index and on the wire. Immutable; safe to share between threads.
 *
 * @param offset where the chunk starts in its file, {@code >= 0}
 * @param length its length in bytes, {@code >= 1} (no chunk is empty; an empty file has no chunks)
 * @param hash   SHA-256 of its bytes
 */
public record Chunk(long offset, int length, Hash hash) {
    public Chunk {
        if (offset < 0) {
            throw new IllegalArgumentException("chunk offset must be >= 0, not " + offset);
        }
        if (length < 1) {
            throw new IllegalArgumentException("chunk length must be >= 1, not " + length);
        }
        Objects.requireNonNull(hash, "hash");
    }

    /** The offset just past this chunk, where the next one starts. */
    public long end() {
        return offset + length;
    }
}
