package dev.mirror.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link FileInstaller} change left behind.
 *
 * @param now what the path holds right after the change, as stat'ed then: record it in the index, and pass it as the
 *            expectation of the next change there
 * @param keptVersion where the entry it replaced was kept, under {@code .mirror/versions/}; empty if there was none
 */
public record Installed(Expectation now, Optional<Path> keptVersion) {
    public Installed {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(keptVersion, "keptVersion");
    }
}
