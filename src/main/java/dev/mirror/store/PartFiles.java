package dev.mirror.store;

import dev.mirror.core.Hash;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Files being received that outlive an attempt (docs/writing.md, "Resuming"): {@code .mirror/tmp/<hex>.part}, named
 * by the content hash of the file they will become, so that the next attempt at the same content — after a lost link
 * or a kill -9 — finds the chunks already written. Nothing records which chunks are there: the reader checks each
 * chunk against its hash, so a chunk that was torn, never written, or lost with the page cache is simply fetched
 * again. Only verified chunks at their own offsets are ever written into a part, so whatever hashes right is right.
 *
 * <p>A part is held by at most one open {@link StagedFile}; a second file of the same content staged meanwhile gets
 * a fresh name. Thread-safe: a part is staged by the writer while files staged earlier are installed (and so
 * released) on the flush thread.
 */
final class PartFiles {
    static final String SUFFIX = ".part";
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{" + 2 * Hash.BYTES + "}\\.part");
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE);
    private static final Set<OpenOption> OPEN_OPTIONS = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> CREATE_OPTIONS = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    private final Path directory;
    private final Set<String> held = new HashSet<>();
    /**
     * Parts that may exist: those the last {@link #deleteExcept} kept, and every one opened since. Only ever too
     * many (a part installed or deleted since stays in it), never too few: this process alone writes here.
     */
    private Set<String> present;

    PartFiles(Path directory) {
        this.directory = directory;
    }

    /** Whether {@code name} in {@code .mirror/tmp/} is a part, to be kept across runs. */
    static boolean isPart(String name) {
        return NAME.matcher(name).matches();
    }

    Path path(Hash content) {
        return directory.resolve(content.hex() + SUFFIX);
    }

    /**
     * Whether {@code content} may have a part. Without a listing yet, every content may; with one, a file that has
     * none is staged without trying to read a part that is not there (most files, and a failed open each).
     */
    synchronized boolean mayExist(Hash content) {
        return present == null || present.contains(content.hex() + SUFFIX);
    }

    /**
     * The part of {@code content}, opened for reading and writing (made empty, with permission bits
     * {@code creationBits}, if missing), or null if another staged file holds it now.
     */
    StagedFile open(FileInstaller owner, Hash content, int creationBits) throws IOException {
        Path path = path(content);
        String name = path.getFileName().toString();
        if (!claim(name)) {
            return null;
        }
        // Opened outside the lock: creating a file takes a while, and the flush thread releases parts meanwhile.
        try {
            try {
                FileChannel created = FileChannel.open(path, CREATE_OPTIONS,
                        PosixFilePermissions.asFileAttribute(FileInstaller.permissions(creationBits)));
                return new StagedFile(owner, path, created, () -> release(name),
                        owner.bitsAfterCreation(creationBits));
            } catch (FileAlreadyExistsException e) {
                // From an earlier attempt: whatever mode it has, sealing sets the right one.
                return new StagedFile(owner, path, openChannel(path), () -> release(name), StagedFile.BITS_UNKNOWN);
            }
        } catch (IOException | RuntimeException e) {
            release(name);
            throw e;
        }
    }

    /** Takes the part's name for one staged file; false if another holds it. */
    private synchronized boolean claim(String name) {
        if (!held.add(name)) {
            return false;
        }
        if (present != null) {
            present.add(name);
        }
        return true;
    }

    /**
     * Deletes every part not held and not of {@code wanted} content: what a changed or deleted file left. This bounds
     * {@code .mirror/tmp/} by what is still to be fetched. {@code wanted} is asked only if a part is there to judge:
     * a round that fetches 50,000 files into an empty {@code .mirror/tmp/} (every first mirror) then never builds
     * the set of their contents (0.05 s of its start, before the first file could be asked for).
     */
    synchronized void deleteExcept(Supplier<Set<Hash>> wanted) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> names = Files.newDirectoryStream(directory)) {
            for (Path file : names) {
                String name = file.getFileName().toString();
                if (isPart(name) && !held.contains(name)) {
                    found.add(file);
                }
            }
        }
        Set<String> kept = new HashSet<>(held);
        Set<Hash> keep = found.isEmpty() ? Set.of() : wanted.get();
        for (Path file : found) {
            String name = file.getFileName().toString();
            if (keep.contains(Hash.fromHex(name.substring(0, name.length() - SUFFIX.length())))) {
                kept.add(name);
            } else {
                Files.deleteIfExists(file);
            }
        }
        present = kept;
    }

    private synchronized void release(String name) {
        held.remove(name);
    }

    private static FileChannel openChannel(Path path) throws IOException {
        try {
            return FileChannel.open(path, OPEN_OPTIONS, OWNER_ONLY_FILE);
        } catch (AccessDeniedException e) {
            // Sealed (its final mode set) by a run killed before the rename: it is ours to write again.
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(OWNER_READ_WRITE);
            return FileChannel.open(path, OPEN_OPTIONS, OWNER_ONLY_FILE);
        }
    }
}
