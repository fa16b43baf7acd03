package dev.mirror.cli;

import dev.mirror.store.NetworkPaths;
import dev.mirror.store.PathRejectedException;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code [DIR] PATH} arguments of {@code versions} and {@code restore}: which synced folder, and which path in
 * it. With both, PATH is relative to DIR, or a path under DIR ({@code ~/Sync/a/b.txt}). With PATH alone, the folder
 * is the nearest directory above it that holds {@code .mirror/}, so {@code mirror versions b.txt} works from inside
 * the folder. The path itself need not exist: a deleted file has versions too.
 *
 * @param relative the checked relative path, with {@code /} between names
 */
record FolderPath(Path folder, String relative) {

    /** @throws CommandLine.ParameterException saying what is wrong with the arguments */
    static FolderPath of(CommandLine commandLine, List<String> arguments) {
        if (arguments.isEmpty() || arguments.size() > 2) {
            throw new CommandLine.ParameterException(commandLine, "Give PATH, or DIR and PATH");
        }
        Path path = Path.of(arguments.get(arguments.size() - 1));
        Path folder;
        Path absolute;
        if (arguments.size() == 2) {
            folder = Path.of(arguments.get(0)).toAbsolutePath().normalize();
            absolute = folder.resolve(path).normalize();
        } else {
            absolute = path.toAbsolutePath().normalize();
            folder = enclosingFolder(commandLine, absolute);
        }
        Path relative = under(folder, absolute);
        if (relative == null || relative.toString().isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "PATH must name something inside " + folder
                    + ", not " + absolute);
        }
        try {
            return new FolderPath(folder, NetworkPaths.check(relative.toString()));
        } catch (PathRejectedException e) {
            throw new CommandLine.ParameterException(commandLine, "Invalid PATH " + relative + ": " + e.reason());
        }
    }

    /** {@code absolute} relative to {@code folder}, also if one of them is reached through a symlink; else null. */
    private static Path under(Path folder, Path absolute) {
        if (absolute.startsWith(folder)) {
            return folder.relativize(absolute);
        }
        try {
            Path realFolder = folder.toRealPath();
            Path parent = absolute.getParent();
            Path real = parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
            return real.startsWith(realFolder) ? realFolder.relativize(real) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Path enclosingFolder(CommandLine commandLine, Path absolute) {
        for (Path dir = absolute.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(StateDirectory.NAME), LinkOption.NOFOLLOW_LINKS)) {
                return dir;
            }
        }
        throw new CommandLine.ParameterException(commandLine, absolute + " is in no synced folder (none above it "
                + "has " + StateDirectory.NAME + "/); give the folder too: DIR PATH");
    }
}
