package dev.mirror.scan;

import java.util.Objects;

/** A path the scan could not index as it is, and why, in words for the user. The scan goes on. */
public record ScanProblem(String path, String reason) {
    public ScanProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return (path.isEmpty() ? "." : path) + ": " + reason;
    }
}
