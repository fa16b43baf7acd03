package dev.mirror.tree;

import dev.mirror.scan.ChunkerParams;

import java.util.Objects;

/**
 * Everything that shapes the tree's hashes. Two peers whose parameters differ could never agree on a root, so the
 * index pins them when it is created and peers compare them before anything else.
 *
 * @param hashFormat version of the hash definitions in docs/hashing.md
 */
public record TreeParams(String hashAlgorithm, ChunkerParams chunker, int bucketBits, int hashFormat) {
    public static final TreeParams DEFAULT =
            new TreeParams("sha-256", ChunkerParams.DEFAULT, BucketRule.DEFAULT_BITS, 1);

    public TreeParams {
        Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
        Objects.requireNonNull(chunker, "chunker");
    }

    /** One line that names every parameter, as stored in the index and shown in errors. */
    public String describe() {
        return hashAlgorithm + " cdc=" + chunker.minBytes() + "/" + chunker.avgBytes() + "/" + chunker.maxBytes()
                + " buckets=" + bucketBits + " format=" + hashFormat;
    }
}
