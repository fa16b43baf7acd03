package dev.mirror.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What store's tests read from and put on disk: expectations as an index would hold them, listings, staged files. */
final class OnDisk {
    /** Kept versions are tagged ~20250102-150405. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T15:04:05Z"), ZoneOffset.UTC);
    static final String TAG = "~20250102-150405";
    static final long MTIME_NANOS = 1_700_000_000_123_456_789L;

    private OnDisk() {
    }

    /** What a scan would have recorded for {@code path} just now. */
    static Expectation expectationOf(Path path) throws IOException {
        Map<String, Object> stat = Files.readAttributes(path, "unix:size,lastModifiedTime,ino,ctime,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        long inode = (Long) stat.get("ino");
        long ctimeNanos = ((FileTime) stat.get("ctime")).to(TimeUnit.NANOSECONDS);
        if ((Boolean) stat.get("isSymbolicLink")) {
            return Expectation.symlink(Files.readSymbolicLink(path).toString(), inode, ctimeNanos);
        }
        return Expectation.file((Long) stat.get("size"),
                ((FileTime) stat.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS), inode, ctimeNanos);
    }

    /**
     * Every path below {@code root} (.mirror left out), relative and sorted: "dir/", "file: its content",
     * "link -> target". Symlinks are not followed.
     */
    static List<String> listing(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !p.equals(root) && !root.relativize(p).startsWith(StateDirectory.NAME))
                    .map(p -> describe(root, p))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** The names in {@code dir}, sorted; empty if it does not exist. */
    static List<String> names(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** A sealed staged file holding {@code content}. */
    static StagedFile stage(FileInstaller installer, String content, int mode) throws IOException {
        StagedFile staged = installer.stage();
        ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            staged.channel().write(bytes);
        }
        staged.seal(MTIME_NANOS, mode);
        return staged;
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static String describe(Path root, Path path) {
        String relative = root.relativize(path).toString();
        try {
            if (Files.isSymbolicLink(path)) {
                return relative + " -> " + Files.readSymbolicLink(path);
            }
            return Files.isDirectory(path) ? relative + "/" : relative + ": " + read(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
