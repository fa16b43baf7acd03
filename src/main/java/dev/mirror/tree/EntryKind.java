package dev.mirror.tree;

/** What a path is. The codes are part of the hash and index formats and never change. */
public enum EntryKind {
    FILE(1),
    DIRECTORY(2),
    SYMLINK(3);

    /** values() copies its array at every call, and every entry read from the index asks for its kind. */
    private static final EntryKind[] KINDS = values();

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryKind fromCode(int code) {
        for (EntryKind kind : KINDS) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown entry kind code " + code);
    }
}
