package dev.mirror.tree;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A path inside the synced folder: UTF-8 names joined by '/', relative to the root, which is the empty path.
 * Immutable and thread-safe. Ordered by unsigned UTF-8 bytes, the order of the index and of every hash.
 *
 * <p>Only checks invariants that the index relies on; paths from the network are checked by {@code store} first.
 */
public final class TreePath implements Comparable<TreePath> {
    public static final TreePath ROOT = new TreePath("", new byte[0]);

    private final String text;
    private final byte[] utf8;
    /**
     * {@link #depth()} once asked for, else 0 (the root's, which needs no count). Sorting a round's 50,000 paths by
     * depth asks about a million times; counting the names each time cost more than the rest of the comparison.
     * Written without a lock, as String caches its hash: every thread that counts gets the same number.
     */
    private int depth;

    private TreePath(String text, byte[] utf8) {
        this.text = text;
        this.utf8 = utf8;
    }

    /** Parses "a/b/c"; the empty string is the root. */
    public static TreePath of(String text) {
        if (text.isEmpty()) {
            return ROOT;
        }
        for (String name : text.split("/", -1)) {
            checkName(name);
        }
        return new TreePath(text, text.getBytes(StandardCharsets.UTF_8));
    }

    public TreePath child(String name) {
        checkName(name);
        String childText = isRoot() ? name : text + "/" + name;
        return new TreePath(childText, childText.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes of the path in UTF-8 (0 for the root). */
    public int utf8Length() {
        return utf8.length;
    }

    public boolean isRoot() {
        return utf8.length == 0;
    }

    /** The parent directory; the root has none. */
    public TreePath parent() {
        if (isRoot()) {
            throw new IllegalStateException("the root has no parent");
        }
        int slash = text.lastIndexOf('/');
        return slash < 0 ? ROOT : new TreePath(text.substring(0, slash), Arrays.copyOf(utf8, lastSlashByte()));
    }

    /** The last name; empty for the root. */
    public String name() {
        return text.substring(text.lastIndexOf('/') + 1);
    }

    public byte[] nameBytes() {
        return Arrays.copyOfRange(utf8, lastSlashByte() + 1, utf8.length);
    }

    /** The UTF-8 bytes; callers must not modify them. */
    byte[] bytes() {
        return utf8;
    }

    public int depth() {
        int known = depth;
        if (known != 0 || isRoot()) {
            return known;
        }
        int counted = 1;
        for (byte b : utf8) {
            counted += b == '/' ? 1 : 0;
        }
        depth = counted;
        return counted;
    }

    private int lastSlashByte() {
        for (int i = utf8.length - 1; i >= 0; i--) {
            if (utf8[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid name in a path: '" + name + "'");
        }
    }

    @Override
    public int compareTo(TreePath other) {
        return Arrays.compareUnsigned(utf8, other.utf8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreePath other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Orders names as their UTF-8 bytes would be ordered, without encoding them: UTF-8 byte order is code point
     * order, which differs from String's UTF-16 order only where a surrogate (a code point above U+FFFF) meets a
     * character from U+E000 to U+FFFF.
     */
    public static int compareNames(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    }

    private static int codePointRank(char c) {
        return Character.isSurrogate(c) ? c + 0x10000 : c;
    }
}
