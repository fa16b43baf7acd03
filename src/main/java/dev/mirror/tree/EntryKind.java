package dev.mirror.tree;

/** What a path is. The codes are part of the hash and index formats and never change. */
public enum EntryKind {
    FILE(1),
    DIRECTORY(2),
    SYMLINK(3);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryKind fromCode(int code) {
        for (EntryKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown entry kind code " + code);
    }
}
