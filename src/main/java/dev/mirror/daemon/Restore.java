package dev.mirror.daemon;

import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.FolderException;
import dev.mirror.store.Installed;
import dev.mirror.store.KeptVersion;
import dev.mirror.store.StateDirectory;
import dev.mirror.store.VersionHistory;
import dev.mirror.store.VersionRestore;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code mirror restore}: brings a kept version back as a new local change. With a peer running, the command asks
 * it over the control socket with {@code restore N PATH} (PATH percent-encoded UTF-8, so any name fits on one line)
 * and the peer restores on its sync thread, then rescans and announces its new root at once; with none running, the
 * command restores with its own installer and scans, so the next start announces it. Stateless.
 */
public final class Restore {
    static final String COMMAND = "restore";
    /**
     * The zone kept versions' names are tagged in: {@link Folder#open(java.nio.file.Path)} runs on the UTC clock.
     * Used only to date a version whose record is missing.
     */
    private static final ZoneId TAG_ZONE = ZoneOffset.UTC;

    private Restore() {
    }

    /** The kept versions of {@code path}, newest first; needs no lock, so it works beside a running peer. */
    public static List<KeptVersion> versions(StateDirectory state, String path) throws IOException {
        return VersionHistory.of(state, path, TAG_ZONE);
    }

    /** The control-socket line asking the running peer to restore version {@code number} of {@code path}. */
    public static String request(String path, int number) {
        return COMMAND + " " + number + " " + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    /**
     * Restores with no peer running, on {@code folder} opened (and locked) by the caller, then scans it. Prunes
     * nothing: the running peer, which knows its {@code --keep-versions}, prunes when it next keeps a version here.
     *
     * @return the sentence for the user
     */
    public static String offline(Folder folder, String path, int number) throws IOException, InterruptedException {
        String restored;
        try (FileInstaller installer = FileInstaller.open(folder.state(), folder.clock(), VersionHistory.MAX_KEEP)) {
            restored = apply(folder, installer, path, number);
        }
        folder.scan(new ScanProgress());
        return restored;
    }

    /**
     * Answers a control-socket {@code request}, on the folder's writer thread: the sentence for the user, or
     * {@code error} and why.
     */
    static String answer(Folder folder, FileInstaller installer, String request) {
        String[] words = request.split(" ", 3);
        if (words.length != 3 || !words[0].equals(COMMAND) || !words[1].matches("[1-9][0-9]{0,8}")) {
            return "error malformed restore request";
        }
        try {
            String restored = apply(folder, installer, URLDecoder.decode(words[2], StandardCharsets.UTF_8),
                    Integer.parseInt(words[1]));
            installer.syncDirectories(); // durable before the rescan that follows records it
            return restored;
        } catch (IOException | IllegalArgumentException e) { // a bad %-escape is an IllegalArgumentException
            return "error " + e.getMessage();
        }
    }

    private static String apply(Folder folder, FileInstaller installer, String path, int number)
            throws IOException {
        List<KeptVersion> versions = versions(folder.state(), path);
        if (versions.isEmpty()) {
            throw new FolderException("No earlier version of " + path + " is kept, so there is nothing to restore.");
        }
        if (number > versions.size()) {
            throw new FolderException(path + " has " + (versions.size() == 1 ? "1 kept version" : versions.size()
                    + " kept versions") + ", so there is no version " + number + "; 'mirror versions' lists them.");
        }
        KeptVersion version = versions.get(number - 1);
        Installed installed = VersionRestore.restore(installer, version, path, folder.deviceId(), folder.clock());
        return "Restored " + path + " from version " + number + " (" + version.file() + ")" + installed.keptVersion()
                .map(kept -> "; what was there is kept as " + kept).orElse("") + ".";
    }
}
