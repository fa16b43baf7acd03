package dev.mirror.tree;

import java.io.IOException;

/** The index on disk cannot be read as written; a full scan into a fresh index rebuilds it. */
public final class IndexDamagedException extends IOException {
    public IndexDamagedException(String message, Throwable cause) {
        super(message, cause);
    }
}
