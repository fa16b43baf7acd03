package dev.mirror.scan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lists one directory: every child stat'ed without following links, sorted by unsigned UTF-8 bytes of the name
 * (the index's order). Children that cannot be indexed are reported, not returned. Stateless and thread-safe.
 */
public final class DirectoryReader {
    private static final char REPLACEMENT = '\uFFFD';

    private DirectoryReader() {
    }

    /**
     * The children of {@code dir}; {@code relative} is its path inside the folder, for problem reports.
     *
     * @throws IOException if the directory itself cannot be listed
     */
    public static List<FileStat> list(Path dir, String relative, Consumer<ScanProblem> problems) throws IOException {
        List<Named> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                String childPath = relative.isEmpty() ? name : relative + "/" + name;
                if (name.indexOf(REPLACEMENT) >= 0 && !dir.resolve(name).equals(child)) {
                    // The JDK decoded bytes that are not UTF-8 as U+FFFD: the name no longer leads back to the
                    // file (paths compare by their raw bytes), and could even name another file.
                    problems.accept(new ScanProblem(childPath, "name is not valid UTF-8; skipped (rename it to "
                            + "sync it)"));
                    continue;
                }
                FileStat stat = statOrReport(child, name, childPath, problems);
                if (stat != null) {
                    children.add(new Named(utf8(name), stat));
                }
            }
        }
        children.sort((a, b) -> Arrays.compareUnsigned(a.utf8, b.utf8));
        List<FileStat> sorted = new ArrayList<>(children.size());
        for (Named child : children) {
            sorted.add(child.stat);
        }
        return sorted;
    }

    private static FileStat statOrReport(Path child, String name, String childPath,
                                         Consumer<ScanProblem> problems) {
        try {
            FileStat stat = FileStats.read(child, name);
            if (stat.type() == FileType.OTHER) {
                problems.accept(new ScanProblem(childPath, "not a regular file, directory or symlink "
                        + "(a FIFO, socket or device); skipped"));
            }
            if (stat.symlinkTarget() != null && stat.symlinkTarget().indexOf(REPLACEMENT) >= 0) {
                problems.accept(new ScanProblem(childPath, "symlink target is not valid UTF-8; kept as last indexed"));
                return unknown(name);
            }
            return stat;
        } catch (NoSuchFileException e) {
            return null; // Deleted between listing and stat: the next scan sees it gone.
        } catch (AccessDeniedException e) {
            problems.accept(new ScanProblem(childPath, "permission denied; kept as last indexed"));
            return unknown(name);
        } catch (IOException e) {
            problems.accept(new ScanProblem(childPath, "cannot stat (" + e.getMessage() + "); kept as last indexed"));
            return unknown(name);
        }
    }

    private static FileStat unknown(String name) {
        return new FileStat(name, FileType.UNKNOWN, 0, 0, 0, 0, 0, null);
    }

    private static byte[] utf8(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    /** A child with its name's UTF-8 bytes, computed once for sorting. */
    private static final class Named {
        final byte[] utf8;
        final FileStat stat;

        Named(byte[] utf8, FileStat stat) {
            this.utf8 = utf8;
            this.stat = stat;
        }
    }
}
