package dev.mirror.store;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.List;

/**
 * The folder's kept versions, {@code .mirror/versions/}: a file or symlink that mirror replaces or deletes moves
 * here, to the same relative path with a time tag in its name ({@link VersionNames}), so a mistaken change can be
 * undone. Used by one thread, its {@link FileInstaller}'s; it is the only writer here.
 */
final class KeptVersions implements AutoCloseable {
    static final String NAME = "versions";
    private static final String SHOWN_AS = StateDirectory.NAME + "/" + NAME + "/";
    private static final int MAX_A_SECOND = 10_000;

    private final Path path;
    private final SecureDirectoryStream<Path> stream;
    private final DirectoryWalker walker;
    private final Clock clock;

    /** Takes over {@code stream}, an open handle on {@code path}; {@code clock} tags names in its time zone. */
    KeptVersions(Path path, SecureDirectoryStream<Path> stream, DirectoryWalker walker, Clock clock) {
        this.path = path;
        this.stream = stream;
        this.walker = walker;
        this.clock = clock;
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
     * (from {@link #openFor}) under a free tagged name.
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
                return path.resolve(requested).resolveSibling(keptName);
            }
        }
        throw new IOException("Cannot keep the old version of " + requested + ": " + MAX_A_SECOND
                + " versions of it were kept this second already.");
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
