package dev.mirror.store;

import java.io.IOException;
import java.util.Objects;

/**
 * What is on disk at a path is not what the caller's index says, so mirror left it alone: the user changed it since
 * the last scan. For the caller this is a conflict, never a reason to overwrite.
 */
public final class TargetChangedException extends IOException {
    private final String path;
    private final String reason;

    /**
     * @param path the path that differs: the one asked for, or one of its parents
     * @param reason what was expected and what was found
     */
    public TargetChangedException(String path, String reason) {
        super("Left " + PathRejectedException.printable(path) + " as it is: " + reason
                + "; it changed since the last scan, which will pick it up.");
        this.path = Objects.requireNonNull(path, "path");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }
}
