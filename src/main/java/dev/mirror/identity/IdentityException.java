package dev.mirror.identity;

import java.io.IOException;
import java.nio.file.Path;

/**
 * This device's identity files cannot be used as they are; the message names the file and says what to do. Not
 * thrown for an identity that is merely absent or half-created by an interrupted first start: those are created
 * again.
 */
public final class IdentityException extends IOException {
    private final Path file;

    IdentityException(Path file, String message) {
        super(message);
        this.file = file;
    }

    IdentityException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** "FILE is damaged: REASON. Move DIR away ..." where DIR is the identity directory holding FILE. */
    static IdentityException damaged(Path file, String reason) {
        return unusable(file, file + " is damaged: " + reason, null);
    }

    static IdentityException damaged(Path file, String reason, Throwable cause) {
        return unusable(file, file + " is damaged: " + reason, cause);
    }

    /** {@code problem}, then how to start over: the only fix that does not need the lost key. */
    static IdentityException unusable(Path file, String problem, Throwable cause) {
        return new IdentityException(file, problem + ". Move " + file.getParent()
                + " away to create a new identity (peers will need to pair again).", cause);
    }

    /** The file (or directory) at fault. */
    public Path file() {
        return file;
    }
}
