package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.util.Objects;

/**
 * A contiguous run of a directory's children and the hash over them.
 *
 * @param lastName the name that ended the bucket, or null for the bucket that runs to the end of the directory
 */
public record Bucket(String lastName, Hash hash, int count) {
    public Bucket {
        Objects.requireNonNull(hash, "hash");
        if (count <= 0) {
            throw new IllegalArgumentException("a bucket holds at least one child, not " + count);
        }
    }
}
