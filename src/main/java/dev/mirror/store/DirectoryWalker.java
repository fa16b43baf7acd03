package dev.mirror.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * Opens a directory below another one name at a time, each name opened relative to the directory before it with
 * O_NOFOLLOW ({@code openat}), so no symlink on the way is ever followed, however the tree changes meanwhile.
 * Missing directories are made in {@code .mirror/tmp} and renamed into place the same way. Used by one thread, its
 * {@link FileInstaller}'s.
 */
final class DirectoryWalker {
    private static final Path SELF = Path.of(".");

    private final TempDirectory temp;

    DirectoryWalker(TempDirectory temp) {
        this.temp = temp;
    }

    /**
     * Opens the directory {@code names} below {@code start}; the caller closes it. With no names, a new handle on
     * {@code start} itself.
     *
     * @param shownAs how {@code start} is named in messages: "" for the folder, ".mirror/versions/" for versions
     * @param requested the whole path the caller was asked to change, for a {@link PathRejectedException}
     * @param create make missing directories (with the default mode); otherwise a missing one is a change
     * @throws PathRejectedException if one of them is a symlink
     * @throws TargetChangedException if one of them is missing (and not to be made) or not a directory
     */
    SecureDirectoryStream<Path> open(SecureDirectoryStream<Path> start, String shownAs, String requested,
                                     List<String> names, boolean create) throws IOException {
        SecureDirectoryStream<Path> dir = start.newDirectoryStream(SELF, LinkOption.NOFOLLOW_LINKS);
        try {
            StringBuilder shown = new StringBuilder(shownAs);
            for (String name : names) {
                shown.append(name);
                SecureDirectoryStream<Path> next = step(dir, name, shown.toString(), requested, create);
                dir.close();
                dir = next;
                shown.append('/');
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            closeQuietly(dir, e);
            throw e;
        }
    }

    /**
     * Makes directory {@code name} in {@code dir}. It is made in {@code .mirror/tmp} (with {@code mode}, or the
     * default one if negative) and renamed into {@code dir} by descriptor, so it can appear nowhere else. Rejected:
     * {@code Files.createDirectory} on the folder's path plus the name, which resolves the path again, so a parent
     * swapped for a symlink meanwhile would put the directory outside the folder.
     *
     * @return false if the rename failed because something appeared at {@code name} meanwhile (the caller looks
     *         again at what it is)
     */
    boolean makeDirectory(SecureDirectoryStream<Path> dir, String name, int mode) throws IOException {
        Path made = temp.create("dir-", candidate -> {
            Files.createDirectory(candidate);
            if (mode >= 0) {
                Files.setPosixFilePermissions(candidate, FileInstaller.permissions(mode));
            }
            return candidate;
        });
        try {
            // RACE: renameat replaces an empty directory made at `name` since we looked; worst outcome: another
            // program's new, empty directory becomes ours. A non-empty one or any other entry makes it fail.
            temp.stream().move(made.getFileName(), dir, Path.of(name));
            return true;
        } catch (IOException e) {
            temp.deleteQuietly(made.getFileName().toString(), e);
            if (DiskEntry.kind(dir, name) == DiskEntry.Kind.ABSENT) {
                throw e;
            }
            return false;
        }
    }

    /** fsync(2) of the directory {@code dir} holds, opened as "." through its descriptor, not by its path. */
    static void sync(SecureDirectoryStream<Path> dir) throws IOException {
        try (SeekableByteChannel channel = dir.newByteChannel(SELF, Set.of(StandardOpenOption.READ))) {
            if (!(channel instanceof FileChannel file)) {
                throw new IOException("Cannot fsync a directory: this Java opens it as a "
                        + channel.getClass().getName() + ", not a FileChannel; run mirror on Linux.");
            }
            file.force(true);
        }
    }

    private SecureDirectoryStream<Path> step(SecureDirectoryStream<Path> dir, String name, String shown,
                                             String requested, boolean create) throws IOException {
        DiskEntry.Kind kind = DiskEntry.kind(dir, name);
        boolean made = false;
        if (kind == DiskEntry.Kind.ABSENT && create) {
            made = makeDirectory(dir, name, -1);
            kind = made ? DiskEntry.Kind.DIRECTORY : DiskEntry.kind(dir, name);
        }
        requireDirectory(kind, shown, requested);
        SecureDirectoryStream<Path> next;
        try {
            // RACE: a FIFO swapped in since the look above would block this open until a writer comes; worst
            // outcome: this thread waits. A symlink swapped in fails (ELOOP), a file too (ENOTDIR).
            next = dir.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
        } catch (NotDirectoryException | NoSuchFileException e) {
            throw new TargetChangedException(shown, "expected a directory, found "
                    + (e instanceof NoSuchFileException ? "nothing" : "something else"));
        } catch (FileSystemException e) {
            requireDirectory(DiskEntry.kind(dir, name), shown, requested);
            throw e;
        }
        if (made) {
            try {
                sync(dir); // The new directory's name must survive a crash as surely as what goes into it.
            } catch (IOException | RuntimeException e) {
                closeQuietly(next, e);
                throw e;
            }
        }
        return next;
    }

    private static void requireDirectory(DiskEntry.Kind kind, String shown, String requested)
            throws IOException {
        switch (kind) {
            case DIRECTORY:
                return;
            case SYMLINK:
                throw new PathRejectedException(requested, "a parent directory is a symlink: " + shown);
            case ABSENT:
                throw new TargetChangedException(shown, "expected a directory, found nothing");
            case FILE:
                throw new TargetChangedException(shown, "expected a directory, found a regular file");
            default:
                throw new TargetChangedException(shown, "expected a directory, found a special file (FIFO, "
                        + "socket or device)");
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable cause) {
        try {
            closeable.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
