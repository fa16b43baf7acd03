package dev.mirror.store;

import dev.mirror.core.DeviceId;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;

/**
 * Puts a kept version back at its path ({@code mirror restore}): a copy made in {@code .mirror/tmp/} and installed
 * like a received file, so whatever is at the path now is kept as a version first and nothing is lost; the kept
 * version stays where it is. The copy gets the version's permission bits and a fresh mtime: it is a new local change,
 * which the next scan records with a bumped version vector, and a new mtime also wins a conflict with an edit a peer
 * made meanwhile (the older one survives as the conflict copy). Stateless; call it on the installer's thread.
 */
public final class VersionRestore {
    private VersionRestore() {
    }

    /**
     * Restores {@code version} to {@code relativePath}, recording {@code self} as the device whose change replaced
     * what was there.
     *
     * @throws FolderException if a directory is at the path now
     * @throws TargetChangedException if the path changed while restoring; try again
     */
    public static Installed restore(FileInstaller installer, KeptVersion version, String relativePath, DeviceId self,
                                    Clock clock) throws IOException {
        String path = NetworkPaths.check(relativePath);
        Expectation current = installer.current(path);
        if (current == Expectation.directory()) {
            throw new FolderException("Cannot restore " + path + ": a directory is there now; move it away first.");
        }
        installer.changesFrom(self);
        if (version.symlink()) {
            return installer.createSymlink(path, Files.readSymbolicLink(version.file()).toString(), current);
        }
        try (StagedFile staged = installer.stage();
             FileChannel from = FileChannel.open(version.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            copy(version.file(), from, staged.channel());
            staged.seal(nanos(clock.instant()), FileInstaller.modeOf(version.file()) & 0777);
            return installer.install(staged, path, current);
        }
    }

    private static void copy(Path file, FileChannel from, FileChannel to) throws IOException {
        long size = from.size();
        for (long done = 0; done < size; ) {
            long copied = from.transferTo(done, size - done, to);
            if (copied <= 0) {
                throw new IOException("Cannot restore from " + file + ": it shrank while being read.");
            }
            done += copied;
        }
    }

    private static long nanos(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
    }
}
