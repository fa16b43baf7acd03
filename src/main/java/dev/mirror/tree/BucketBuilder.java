package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a directory's children, fed in name order, into buckets and hashes each one. Used by both the full scan and
 * incremental updates, so the two can never disagree. One instance per directory; not thread-safe.
 */
final class BucketBuilder {
    private final BucketRule rule;
    private final List<Bucket> buckets = new ArrayList<>();
    private MessageDigest open;
    private int openCount;

    BucketBuilder(BucketRule rule) {
        this.rule = rule;
    }

    void add(String name, Hash treeHash) {
        add(name, name.getBytes(StandardCharsets.UTF_8), treeHash);
    }

    void add(String name, byte[] nameBytes, Hash treeHash) {
        if (open == null) {
            open = MerkleHash.startBucket();
        }
        MerkleHash.addToBucket(open, nameBytes, treeHash);
        openCount++;
        if (rule.endsBucket(nameBytes)) {
            close(name);
        }
    }

    /** True while the children added since the last cut have not yet reached a name that ends a bucket. */
    boolean isOpen() {
        return open != null;
    }

    /**
     * The buckets of everything added. A bucket still open is the tail bucket: callers that rebuild part of a
     * directory stop either at a name that ends a bucket (nothing is open) or at the end of the directory.
     */
    List<Bucket> finish() {
        if (open != null) {
            close(null);
        }
        return List.copyOf(buckets);
    }

    /** The hash over a directory's buckets, in order. */
    static Hash childrenHash(List<Bucket> buckets) {
        MessageDigest digest = MerkleHash.startChildren();
        for (Bucket bucket : buckets) {
            bucket.hash().updateDigest(digest);
        }
        return Hash.finish(digest);
    }

    private void close(String lastName) {
        buckets.add(new Bucket(lastName, Hash.finish(open), openCount));
        open = null;
        openCount = 0;
    }
}
