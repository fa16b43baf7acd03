package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Every hash of the tree, byte for byte as docs/hashing.md defines them. Each starts with its own label, so no
 * two kinds of input can ever produce the same bytes. Stateless and thread-safe.
 */
public final class MerkleHash {
    private static final byte[] ENTRY = label("mirror.entry.v1");
    private static final byte[] BUCKET = label("mirror.bucket.v1");
    private static final byte[] CHILDREN = label("mirror.children.v1");
    private static final byte[] DIRECTORY = label("mirror.dir.v1");
    private static final byte[] ROOT = label("mirror.root.v1");
    private static final byte[] NO_CONTENT = new byte[Hash.BYTES];

    private MerkleHash() {
    }

    /** The hash of one entry's own fields; for a file or symlink this is also its tree hash. */
    public static Hash entry(Entry entry) {
        MessageDigest digest = Hash.digest();
        digest.update(ENTRY);
        digest.update((byte) entry.kind().code());
        digest.update((byte) (entry.deleted() ? 1 : 0));
        putInt(digest, entry.mode());
        putLong(digest, entry.size());
        putLong(digest, entry.mtimeNanos());
        if (entry.contentHash() == null) {
            digest.update(NO_CONTENT);
        } else {
            entry.contentHash().updateDigest(digest);
        }
        VersionVector version = entry.version();
        putInt(digest, version.size());
        for (int i = 0; i < version.size(); i++) {
            putLong(digest, version.device(i));
            putLong(digest, version.counter(i));
        }
        return Hash.finish(digest);
    }

    /** A directory's tree hash: its own entry and everything below it. */
    public static Hash directory(Entry entry, Hash childrenHash) {
        Hash entryHash = entry(entry);
        MessageDigest digest = Hash.digest();
        digest.update(DIRECTORY);
        entryHash.updateDigest(digest);
        childrenHash.updateDigest(digest);
        return Hash.finish(digest);
    }

    /** The folder's root hash: the root directory has no entry of its own. */
    public static Hash root(Hash childrenHash) {
        MessageDigest digest = Hash.digest();
        digest.update(ROOT);
        childrenHash.updateDigest(digest);
        return Hash.finish(digest);
    }

    /** Starts a bucket: feed it each child in name order with {@link #addToBucket}, then finish it. */
    public static MessageDigest startBucket() {
        MessageDigest digest = Hash.newDigest();
        digest.update(BUCKET);
        return digest;
    }

    public static void addToBucket(MessageDigest bucket, byte[] name, Hash treeHash) {
        putInt(bucket, name.length);
        bucket.update(name);
        treeHash.updateDigest(bucket);
    }

    /** Starts a directory's children hash: feed it each bucket hash in name order, then finish it. */
    public static MessageDigest startChildren() {
        MessageDigest digest = Hash.newDigest();
        digest.update(CHILDREN);
        return digest;
    }

    private static void putInt(MessageDigest digest, int value) {
        digest.update((byte) (value >>> 24));
        digest.update((byte) (value >>> 16));
        digest.update((byte) (value >>> 8));
        digest.update((byte) value);
    }

    private static void putLong(MessageDigest digest, long value) {
        putInt(digest, (int) (value >>> 32));
        putInt(digest, (int) value);
    }

    private static byte[] label(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[ascii.length + 1];
        System.arraycopy(ascii, 0, withNul, 0, ascii.length);
        return withNul;
    }
}
