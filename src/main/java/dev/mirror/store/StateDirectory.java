package dev.mirror.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A synced folder and its private state directory {@code .mirror/} (identity, index, lock; never synced), created
 * with owner-only permissions because it holds the device's private key. Immutable.
 */
public final class StateDirectory {
    public static final String NAME = ".mirror";

    private final Path folder;
    private final Path state;

    private StateDirectory(Path folder, Path state) {
        this.folder = folder;
        this.state = state;
    }

    /**
     * The state directory of {@code folder}, created if missing.
     *
     * @throws FolderException if {@code folder} is missing or not a directory
     */
    public static StateDirectory open(Path folder) throws IOException {
        Path absolute = checkedFolder(folder);
        Path state = absolute.resolve(NAME);
        try {
            Files.createDirectory(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)) {
                throw new FolderException(state + " exists but is not a directory; move it away.");
            }
        } catch (NoSuchFileException e) {
            throw new FolderException("No such folder: " + absolute + ".");
        }
        return new StateDirectory(absolute, state);
    }

    /**
     * The state directory of {@code folder} if it has one, that is if {@code serve}, {@code join} or {@code scan}
     * ever ran on it; empty otherwise, and nothing is created: for commands that only look.
     *
     * @throws FolderException if {@code folder} is missing or not a directory
     */
    public static Optional<StateDirectory> existing(Path folder) throws IOException {
        Path absolute = checkedFolder(folder);
        Path state = absolute.resolve(NAME);
        return Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS) ? Optional.of(new StateDirectory(absolute, state))
                : Optional.empty();
    }

    private static Path checkedFolder(Path folder) throws FolderException {
        Path absolute = folder.toAbsolutePath().normalize();
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.exists(absolute)) {
            throw new FolderException("No such folder: " + absolute + ".");
        }
        if (!Files.isDirectory(absolute)) {
            throw new FolderException(absolute + " is not a folder.");
        }
        return absolute;
    }

    public Path folder() {
        return folder;
    }

    public Path path() {
        return state;
    }

    public Path index() {
        return state.resolve("index");
    }

    public Path lockFile() {
        return state.resolve("lock");
    }
}
