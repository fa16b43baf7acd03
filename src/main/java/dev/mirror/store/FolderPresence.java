package dev.mirror.store;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Proof that a folder is still the one that was opened: the identity (device and inode numbers) of the folder and of
 * its {@code .mirror/}, taken at open. A disk unmounted under a running peer leaves the folder missing, or an empty
 * mount point in its place; a folder whose {@code .mirror/} was deleted has lost its index. Either way a scan would
 * see every file "deleted" and the peer would propagate the deletions to every machine, so each scan and each round
 * checks first and the peer stops instead.
 */
public final class FolderPresence {
    private final StateDirectory state;
    private final FileKey folderKey;
    private final FileKey stateKey;

    private FolderPresence(StateDirectory state, FileKey folderKey, FileKey stateKey) {
        this.state = state;
        this.folderKey = folderKey;
        this.stateKey = stateKey;
    }

    /** The presence of {@code state}'s folder as it is now. */
    public static FolderPresence of(StateDirectory state) throws IOException {
        return new FolderPresence(state, FileKey.of(state.folder()), FileKey.of(state.path()));
    }

    /** @throws FolderGoneException if the folder or its {@code .mirror/} is missing or is no longer the same */
    public void check() throws IOException {
        FileKey folderNow = FileKey.ofOrNull(state.folder());
        if (folderNow == null) {
            throw new FolderGoneException("The folder " + state.folder() + " is gone (an unmounted disk?); stopping "
                    + "without changing anything. Start mirror again when it is back.");
        }
        FileKey stateNow = FileKey.ofOrNull(state.path());
        if (!folderNow.equals(folderKey) || stateNow == null || !stateNow.equals(stateKey)) {
            throw new FolderGoneException("The folder " + state.folder() + " is not the one mirror opened (its "
                    + StateDirectory.NAME + "/ is " + (stateNow == null ? "missing" : "another one")
                    + ": an unmounted disk, or a folder replaced?); stopping without changing anything, so that no "
                    + "peer sees its files as deleted. Start mirror again once the folder is back.");
        }
    }

    /** Device and inode number: what names one directory on this machine, whatever its path. */
    private record FileKey(Object device, Object inode) {
        static FileKey of(Path path) throws IOException {
            Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new FileKey(unix.get("dev"), unix.get("ino"));
        }

        static FileKey ofOrNull(Path path) throws IOException {
            try {
                return of(path);
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }
}
