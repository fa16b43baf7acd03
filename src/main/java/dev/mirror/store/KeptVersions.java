package dev.mirror.store;

import dev.mirror.core.DeviceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The folder's kept versions, {@code .mirror/versions/}: a file or symlink that mirror replaces or deletes moves
 * here, to the same relative path with a time tag in its name ({@link VersionNames}), so a mistaken change can be
 * undone. Beside each, in {@code .mirror/version-info/} under the same relative path, a {@link VersionInfo} records
 * when, its size and which device's change it was. Keeping one prunes the oldest versions of that path beyond the
 * last {@code keep}. Used by one thread, its {@link FileInstaller}'s; it is the only writer here.
 */
final class KeptVersions implements AutoCloseable {
    static final String NAME = "versions";
    static final String INFO_NAME = "version-info";
    private static final String SHOWN_AS = StateDirectory.NAME + "/" + NAME + "/";
    private static final String INFO_SHOWN_AS = StateDirectory.NAME + "/" + INFO_NAME + "/";
    private static final int MAX_A_SECOND = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(KeptVersions.class);

    private final Path path;
    private final SecureDirectoryStream<Path> stream;
    private final SecureDirectoryStream<Path> infoStream;
    private final TempDirectory temp;
    private final DirectoryWalker walker;
    private final Clock clock;
    private final int keep;
    private DeviceId changesFrom;

    /**
     * Takes over {@code stream} and {@code infoStream}, open handles on {@code path} and on the directory of records;
     * {@code clock} tags names in its time zone.
     *
     * @param keep how many versions of each path to keep, at least 1
     */
    KeptVersions(Path path, SecureDirectoryStream<Path> stream, SecureDirectoryStream<Path> infoStream,
                 TempDirectory temp, DirectoryWalker walker, Clock clock, int keep) {
        if (keep < 1 || keep > VersionHistory.MAX_KEEP) {
            throw new IllegalArgumentException("keep 1 to " + VersionHistory.MAX_KEEP + " versions, not " + keep);
        }
        this.path = path;
        this.stream = stream;
        this.infoStream = infoStream;
        this.temp = temp;
        this.walker = walker;
        this.clock = clock;
        this.keep = keep;
    }

    /** The device whose changes are being applied, recorded with each version kept from now on; null: unknown. */
    void changesFrom(DeviceId device) {
        changesFrom = device;
    }

    /**
     * Opens, making it if needed, the directory that keeps versions of what is in the folder's directory
     * {@code parents}; the caller closes it after fsyncing it.
     *
     * @param requested the path being changed, for messages
     */
    SecureDirectoryStream<Path> openFor(String requested, List<String> parents) throws IOException {
        return walker.open(stream, SHOWN_AS, requested, parents, true);
    }

    /**
     * Moves the entry {@code name} of {@code parent} (the folder's directory of {@code requested}) into {@code kept}
     * (from {@link #openFor}) under a free tagged name, records it, and prunes older versions of it beyond the last
     * {@code keep}. {@code kept} is iterated here, so it must be fresh from {@link #openFor}.
     *
     * @return where it is now
     */
    Path keep(SecureDirectoryStream<Path> parent, String name, SecureDirectoryStream<Path> kept, String requested)
            throws IOException {
        LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), clock.getZone());
        for (int attempt = 1; attempt <= MAX_A_SECOND; attempt++) {
            String keptName = VersionNames.of(name, now, attempt);
            // Free by this look for good: nothing else writes here.
            if (DiskEntry.kind(kept, keptName) == DiskEntry.Kind.ABSENT) {
                // RACE: an edit the user makes between the check and this rename moves with the file; worst
                // outcome: that edit ends up kept here rather than in place, never lost.
                parent.move(Path.of(name), kept, Path.of(keptName));
                recordAndPrune(kept, name, keptName, requested);
                return path.resolve(requested).resolveSibling(keptName);
            }
        }
        throw new IOException("Cannot keep the old version of " + requested + ": " + MAX_A_SECOND
                + " versions of it were kept this second already.");
    }

    @Override
    public void close() throws IOException {
        try {
            infoStream.close();
        } finally {
            stream.close();
        }
    }

    /**
     * The version is safe once moved: a failure to record or prune is logged, never thrown, since throwing here
     * would leave the caller's target missing (the move is done, the install not).
     */
    private void recordAndPrune(SecureDirectoryStream<Path> kept, String name, String keptName, String requested) {
        List<String> parents = parentsOf(requested);
        try (SecureDirectoryStream<Path> info = walker.open(infoStream, INFO_SHOWN_AS, requested, parents, true)) {
            try {
                record(kept, keptName, info);
            } catch (IOException e) {
                LOG.warn("Kept the old version of {} as {} without its record: {}", requested, keptName,
                        e.getMessage());
            }
            prune(kept, info, name);
        } catch (IOException e) {
            LOG.warn("Cannot record or prune the kept versions of {}: {}", requested, e.getMessage());
        }
    }

    /**
     * Writes the record in {@code .mirror/tmp/} and renames it into place, replacing any record a crash left under
     * that name. Not fsynced on its own: a batch's {@code syncfs} covers it, and otherwise a crash may lose or cut
     * it, which reads as "no record" (docs/index-format.md).
     */
    private void record(SecureDirectoryStream<Path> kept, String keptName, SecureDirectoryStream<Path> info)
            throws IOException {
        long size = kept.getFileAttributeView(Path.of(keptName), BasicFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes().size();
        byte[] text = new VersionInfo(clock.instant(), size, Optional.ofNullable(changesFrom)).format()
                .getBytes(StandardCharsets.UTF_8);
        Path made = temp.create("info-", candidate -> Files.write(candidate, text, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        try {
            temp.stream().move(made.getFileName(), info, Path.of(keptName));
        } catch (IOException | RuntimeException e) {
            temp.deleteQuietly(made.getFileName().toString(), e);
            throw e;
        }
    }

    /** Deletes the versions of {@code name} in {@code kept} beyond the newest {@code keep}, and their records. */
    private void prune(SecureDirectoryStream<Path> kept, SecureDirectoryStream<Path> info, String name)
            throws IOException {
        List<VersionHistory.Found> versions = new ArrayList<>();
        for (Path entry : kept) {
            String keptName = entry.getFileName().toString();
            Optional<VersionNames.Tag> tag = VersionNames.match(keptName, name);
            DiskEntry.Kind kind = tag.isEmpty() ? DiskEntry.Kind.ABSENT : DiskEntry.kind(kept, keptName);
            if (kind == DiskEntry.Kind.FILE || kind == DiskEntry.Kind.SYMLINK) {
                versions.add(new VersionHistory.Found(keptName, tag.get(), readInfo(info, keptName)));
            }
        }
        if (versions.size() <= keep) {
            return;
        }
        versions.sort(VersionHistory.newestFirst(clock.getZone()));
        for (VersionHistory.Found old : versions.subList(keep, versions.size())) {
            // The version first: a crash between leaves a record without a version, which nothing lists.
            kept.deleteFile(Path.of(old.keptName()));
            try {
                info.deleteFile(Path.of(old.keptName()));
            } catch (NoSuchFileException e) {
                // It had no record.
            }
            LOG.debug("Pruned the kept version {}", old.keptName());
        }
    }

    private static Optional<VersionInfo> readInfo(SecureDirectoryStream<Path> info, String keptName) {
        try (SeekableByteChannel channel = info.newByteChannel(Path.of(keptName),
                Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            return VersionInfo.read(channel);
        } catch (IOException e) {
            return Optional.empty(); // no usable record: ordered by the time in its name
        }
    }

    private static List<String> parentsOf(String requested) {
        List<String> names = Arrays.asList(requested.split("/"));
        return names.subList(0, names.size() - 1);
    }
}
