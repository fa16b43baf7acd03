package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key encodings of the index's column families (docs/index-format.md). Names never contain 0x00 or '/', and UTF-8
 * never contains 0xFF, which is what makes these encodings unambiguous and their ranges contiguous.
 */
final class Keys {
    static final byte SEPARATOR = 0x00;
    static final byte TAIL = (byte) 0xFF;

    private Keys() {
    }

    /** entries, chunks: parent path, 0x00, name. A directory's children are the keys starting with its prefix. */
    static byte[] entry(TreePath path) {
        return concat(path.parent().bytes(), path.nameBytes());
    }

    static byte[] entry(TreePath parent, byte[] name) {
        return concat(parent.bytes(), name);
    }

    static byte[] childrenPrefix(TreePath dir) {
        byte[] prefix = Arrays.copyOf(dir.bytes(), dir.bytes().length + 1);
        prefix[prefix.length - 1] = SEPARATOR;
        return prefix;
    }

    /** Every key below a directory's children: its descendants' parents start with the directory and '/'. */
    static byte[] descendantsPrefix(TreePath dir) {
        if (dir.isRoot()) {
            return new byte[0];
        }
        byte[] prefix = Arrays.copyOf(dir.bytes(), dir.bytes().length + 1);
        prefix[prefix.length - 1] = '/';
        return prefix;
    }

    /** The name part of an entry key that starts with {@code prefix}. */
    static String name(byte[] key, int prefixLength) {
        return new String(key, prefixLength, key.length - prefixLength, StandardCharsets.UTF_8);
    }

    /** nodes: the directory's path; the root is the empty key. */
    static byte[] node(TreePath dir) {
        return dir.bytes();
    }

    /** buckets: directory path, 0x00, the bucket's last name, or 0xFF for the tail bucket. */
    static byte[] bucket(TreePath dir, String lastName) {
        byte[] last = lastName == null ? new byte[] {TAIL} : lastName.getBytes(StandardCharsets.UTF_8);
        return concat(dir.bytes(), last);
    }

    /** The last name of a bucket key, or null for the tail bucket. */
    static String bucketName(byte[] key, int prefixLength) {
        boolean tail = key.length == prefixLength + 1 && key[prefixLength] == TAIL;
        return tail ? null : name(key, prefixLength);
    }

    /** chunk_index: chunk hash, then the entry key of a file holding it. */
    static byte[] chunkLocation(Hash chunk, byte[] entryKey) {
        byte[] key = new byte[Hash.BYTES + entryKey.length];
        chunk.copyTo(key, 0);
        System.arraycopy(entryKey, 0, key, Hash.BYTES, entryKey.length);
        return key;
    }

    /** The smallest key greater than every key starting with {@code prefix}. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("no key follows a prefix of 0xFF bytes");
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] concat(byte[] parent, byte[] name) {
        byte[] key = new byte[parent.length + 1 + name.length];
        System.arraycopy(parent, 0, key, 0, parent.length);
        key[parent.length] = SEPARATOR;
        System.arraycopy(name, 0, key, parent.length + 1, name.length);
        return key;
    }
}
