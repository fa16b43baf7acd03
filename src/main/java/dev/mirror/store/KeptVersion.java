package dev.mirror.store;

import dev.mirror.core.DeviceId;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One kept earlier version of a path, as {@code mirror versions} lists it.
 *
 * @param number its place in the list, newest first, from 1: what {@code mirror restore --version} takes
 * @param file where it is kept, under {@code .mirror/versions/}
 * @param replaced when mirror replaced or deleted it (recorded; without a record, the second in its name)
 * @param size its size on disk now, in bytes (a symlink: the length of its target)
 * @param replacedBy the device whose change replaced or deleted it; empty if not recorded
 * @param symlink it is a symlink, kept as one
 */
public record KeptVersion(int number, Path file, Instant replaced, long size, Optional<DeviceId> replacedBy,
                          boolean symlink) {
    public KeptVersion {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(replaced, "replaced");
        Objects.requireNonNull(replacedBy, "replacedBy");
        if (number < 1) {
            throw new IllegalArgumentException("versions are numbered from 1, not " + number);
        }
    }
}
