package dev.mirror.store;

import dev.mirror.core.DeviceId;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is recorded of a kept version beside it, in {@code .mirror/version-info/} under the kept file's relative path
 * (docs/index-format.md): four lines of UTF-8 text,
 * <pre>
 * mirror-version-info 1
 * replaced 2025-01-02T14:04:05.123456789Z
 * size 1234
 * device AAAQEAY-EAUDAO5-…   (or "device unknown")
 * </pre>
 * Text rather than protobuf: {@code store} stays below {@code wire}, and a person can read it. Anything else (a
 * record cut by a crash, an empty file) reads as no record at all: the version is still listed, its device unknown.
 * Immutable.
 *
 * @param replaced when mirror moved it here
 * @param size its size then, in bytes (a symlink: its target's length)
 * @param replacedBy the device whose change replaced or deleted it, if known
 */
record VersionInfo(Instant replaced, long size, Optional<DeviceId> replacedBy) {
    /** Far more than four such lines can take: a longer file is not one of ours. */
    static final int MAX_BYTES = 512;
    private static final String FIRST_LINE = "mirror-version-info 1";
    private static final String UNKNOWN = "unknown";

    VersionInfo {
        Objects.requireNonNull(replaced, "replaced");
        Objects.requireNonNull(replacedBy, "replacedBy");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }

    String format() {
        return FIRST_LINE + "\nreplaced " + replaced + "\nsize " + size + "\ndevice "
                + replacedBy.map(DeviceId::toString).orElse(UNKNOWN) + "\n";
    }

    /** The record in {@code text}; empty if it is not a whole record in this format. */
    static Optional<VersionInfo> parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length != 5 || !lines[0].equals(FIRST_LINE) || !lines[4].isEmpty()
                || !lines[1].startsWith("replaced ") || !lines[2].startsWith("size ")
                || !lines[3].startsWith("device ")) {
            return Optional.empty();
        }
        try {
            String device = lines[3].substring("device ".length());
            return Optional.of(new VersionInfo(Instant.parse(lines[1].substring("replaced ".length())),
                    Long.parseLong(lines[2].substring("size ".length())),
                    device.equals(UNKNOWN) ? Optional.empty() : Optional.of(DeviceId.parse(device))));
        } catch (DateTimeException | IllegalArgumentException e) { // NumberFormatException is one
            return Optional.empty();
        }
    }

    /** Reads a record from {@code channel}, which the caller opened without following a symlink. */
    static Optional<VersionInfo> read(SeekableByteChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_BYTES + 1);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // Reads until full or at the end.
        }
        if (buffer.position() > MAX_BYTES) {
            return Optional.empty();
        }
        return parse(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
    }
}
