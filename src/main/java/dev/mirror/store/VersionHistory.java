package dev.mirror.store;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kept versions of one path, newest first, read from {@code .mirror/versions/} and {@code .mirror/version-info/}
 * by path. Needs no folder lock, so it works beside a running peer: mirror changes these directories only by renames
 * and unlinks, so a reader sees each version whole or not at all, and one pruned while it looks is left out.
 * Stateless and thread-safe.
 */
public final class VersionHistory {
    /** How many versions of each path are kept unless told otherwise ({@code --keep-versions}). */
    public static final int DEFAULT_KEEP = 5;
    /** The most that may be asked for: pruning reads every kept version of a path each time it keeps one. */
    public static final int MAX_KEEP = 1000;

    private VersionHistory() {
    }

    /**
     * The kept versions of {@code relativePath} in the folder of {@code state}, newest first.
     *
     * @param tagZone the time zone the names' tags were written in (the keeping clock's), used only for a version
     *                whose record is missing
     * @throws PathRejectedException if the path breaks a rule of {@link NetworkPaths}
     */
    public static List<KeptVersion> of(StateDirectory state, String relativePath, ZoneId tagZone)
            throws IOException {
        String path = NetworkPaths.check(relativePath);
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        Path dir = state.path().resolve(KeptVersions.NAME).resolve(parent);
        Path infoDir = state.path().resolve(KeptVersions.INFO_NAME).resolve(parent);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Found> found = new ArrayList<>();
        Map<String, BasicFileAttributes> attributes = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String keptName = entry.getFileName().toString();
                Optional<VersionNames.Tag> tag = VersionNames.match(keptName, name);
                if (tag.isEmpty()) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // pruned since the listing
                }
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    attributes.put(keptName, attrs);
                    found.add(new Found(keptName, tag.get(), readInfo(infoDir.resolve(keptName))));
                }
            }
        }
        found.sort(newestFirst(tagZone));
        List<KeptVersion> versions = new ArrayList<>(found.size());
        for (Found version : found) {
            BasicFileAttributes attrs = attributes.get(version.keptName());
            versions.add(new KeptVersion(versions.size() + 1, dir.resolve(version.keptName()),
                    version.replaced(tagZone), attrs.size(), version.info().flatMap(VersionInfo::replacedBy),
                    attrs.isSymbolicLink()));
        }
        return versions;
    }

    /**
     * Newest first: by when each was replaced (recorded, else its tag's second), then the later attempt of a second,
     * then by name, so the order is total. Pruning and listing share it: the ones listed last are pruned first.
     */
    static Comparator<Found> newestFirst(ZoneId tagZone) {
        return Comparator.comparing((Found found) -> found.replaced(tagZone))
                .thenComparingInt(found -> found.tag().attempt())
                .thenComparing(Found::keptName).reversed();
    }

    private static Optional<VersionInfo> readInfo(Path file) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            return VersionInfo.read(channel);
        } catch (IOException e) {
            // Missing (a crash came first), a symlink or directory in its place, or unreadable: no record, but the
            // version is still listed.
            return Optional.empty();
        }
    }

    /** A kept version found in a directory of versions, with its record if it has a whole one. */
    record Found(String keptName, VersionNames.Tag tag, Optional<VersionInfo> info) {
        Instant replaced(ZoneId tagZone) {
            return info.map(VersionInfo::replaced).orElseGet(() -> tag.time().atZone(tagZone).toInstant());
        }
    }
}
