package dev.mirror.scan;

import java.io.IOException;

/** A file kept changing while it was read, so no hash of it can be trusted yet. */
public final class FileChangedException extends IOException {
    public FileChangedException(String message) {
        super(message);
    }
}
