package dev.mirror.tree;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProgress;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A partial rescan of the directories that changed leaves the index exactly as a full scan would: after random edits
 * and a partial rescan, a full scan finds nothing to change (same entries, local stats included, same root).
 * The directories passed are those a watcher reports: the parent of every path touched, and each created directory
 * as a subtree.
 */
@Timeout(120)
class PartialRescanTest {
    /** A new seed every run, shown in the test name, so the search keeps exploring; rerun a failure with it. */
    private static final long FRESH_SEED = ThreadLocalRandom.current().nextLong();
    private static final int ROUNDS = 25;
    private static final List<String> NAMES = List.of("a", "b", "é", "Z", "long-name.txt", "n1", "n2", "n3");

    @TempDir
    Path folder;

    static LongStream seeds() {
        return LongStream.of(1, 2, 3, 20260101, FRESH_SEED);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void partialRescanOfChangedDirectoriesEqualsAFullScan(long seed) throws Exception {
        Random random = new Random(seed);
        for (int i = 0; i < 40; i++) {
            write(randomPath(random, 3), random);
        }
        try (Folder opened = Folder.open(folder, TestFolders.AHEAD, 2)) {
            opened.scan(new ScanProgress());
            for (int round = 0; round < ROUNDS; round++) {
                Changes changes = new Changes();
                List<String> done = new ArrayList<>();
                for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                    done.add(edit(random, changes));
                }
                String where = "seed " + seed + ", round " + round + ", edits " + done;
                TreeSummary partial = opened.rescan(changes.directories, changes.subtrees, new ScanProgress())
                        .summary();
                List<String> afterPartial = dump(opened.index());
                ScanReport full = opened.scan(new ScanProgress());
                assertEquals(partial, full.summary(), where);
                assertEquals(afterPartial, dump(opened.index()), where);
                assertEquals(0, full.filesRead(), where + ": the full scan found files to read");
            }
        }
    }

    @Test
    void nothingChangedKeepsTheRootAndReadsNothing() throws Exception {
        TestFolders.write(folder, "a/b/c.txt", "c");
        try (Folder opened = Folder.open(folder, TestFolders.AHEAD, 2)) {
            TreeSummary before = opened.scan(new ScanProgress()).summary();
            ScanReport report = opened.rescan(Set.of(folder.resolve("a/b")), Set.of(), new ScanProgress());
            assertEquals(before, report.summary());
            assertEquals(0, report.filesRead());
        }
    }

    @Test
    void changeInADeepDirectoryMovesTheRootAndIsNotReadAgain() throws Exception {
        TestFolders.write(folder, "a/b/c.txt", "c");
        TestFolders.write(folder, "x/y.txt", "y");
        try (Folder opened = Folder.open(folder, TestFolders.AHEAD, 2)) {
            TreeSummary before = opened.scan(new ScanProgress()).summary();
            TestFolders.write(folder, "a/b/c.txt", "changed");
            ScanReport report = opened.rescan(Set.of(folder.resolve("a/b")), Set.of(), new ScanProgress());
            assertNotEquals(before.treeHash(), report.summary().treeHash());
            assertEquals(1, report.filesRead());
            assertEquals(report.summary(), opened.scan(new ScanProgress()).summary());
        }
    }

    @Test
    void pathsInTheStateDirectoryOrOutsideTheFolderAreLeftOut(@TempDir Path outside) throws Exception {
        TestFolders.write(folder, "f.txt", "f");
        try (Folder opened = Folder.open(folder, TestFolders.AHEAD, 2)) {
            TreeSummary before = opened.scan(new ScanProgress()).summary();
            ScanReport report = opened.rescan(Set.of(folder.resolve(".mirror/tmp"), outside), Set.of(),
                    new ScanProgress());
            assertEquals(before, report.summary());
        }
    }

    /** One random edit on disk; records what a watcher would report. Returns what it did, for failure messages. */
    private String edit(Random random, Changes changes) throws IOException {
        List<Path> files = existing(false);
        List<Path> dirs = existing(true);
        Path file = files.isEmpty() ? null : files.get(random.nextInt(files.size()));
        Path dir = dirs.get(random.nextInt(dirs.size()));
        int kind = random.nextInt(10);
        if (file == null && kind >= 1 && kind <= 4) {
            kind = 0;
        }
        switch (kind) {
            case 0 -> {
                Path created = write(randomPath(random, 3), random);
                changes.created(created);
                return "create " + rel(created);
            }
            case 1 -> {
                write(file, random);
                changes.touched(file);
                return "modify " + rel(file);
            }
            case 2 -> {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                        random.nextBoolean() ? "rwxr-xr-x" : "rw-r--r--"));
                changes.touched(file);
                return "chmod " + rel(file);
            }
            case 3 -> {
                Files.delete(file);
                changes.touched(file);
                return "delete " + rel(file);
            }
            case 4 -> {
                Path target = dir.resolve(NAMES.get(random.nextInt(NAMES.size())));
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || target.startsWith(file)) {
                    return "nothing";
                }
                Files.move(file, target);
                changes.touched(file);
                changes.touched(target);
                return "rename " + rel(file) + " to " + rel(target);
            }
            case 5 -> {
                Path sub = dir.resolve("new" + random.nextInt(1000));
                if (Files.exists(sub, LinkOption.NOFOLLOW_LINKS)) {
                    return "nothing";
                }
                for (int i = 0; i < 3; i++) {
                    write(sub.resolve(NAMES.get(random.nextInt(NAMES.size()))), random);
                }
                changes.created(sub);
                return "mkdir " + rel(sub);
            }
            case 6 -> {
                if (dir.equals(folder)) {
                    return "nothing";
                }
                Path target = folder.resolve("moved" + random.nextInt(1000));
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    return "nothing";
                }
                Files.move(dir, target);
                changes.touched(dir);
                changes.created(target);
                return "move " + rel(dir) + " to " + rel(target);
            }
            case 7 -> {
                if (dir.equals(folder)) {
                    return "nothing";
                }
                deleteTree(dir, changes);
                return "rm -r " + rel(dir);
            }
            case 8 -> {
                Files.createSymbolicLink(dir.resolve("link" + random.nextInt(1000)), Path.of("../elsewhere"));
                changes.directories.add(dir);
                return "symlink in " + rel(dir);
            }
            default -> {
                if (dir.equals(folder)) {
                    return "nothing";
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(
                        random.nextBoolean() ? "rwx------" : "rwxr-xr-x"));
                changes.touched(dir);
                return "chmod " + rel(dir);
            }
        }
    }

    private Path randomPath(Random random, int maxDepth) {
        Path path = folder;
        for (int depth = random.nextInt(maxDepth); depth > 0; depth--) {
            path = path.resolve("d" + NAMES.get(random.nextInt(NAMES.size())));
        }
        return path.resolve(NAMES.get(random.nextInt(NAMES.size())));
    }

    /** Writes random bytes at {@code file} unless a directory is there; creates the directories above it. */
    private Path write(Path file, Random random) throws IOException {
        for (Path p = file.getParent(); !p.equals(folder); p = p.getParent()) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        Files.write(file, bytes);
        return file;
    }

    private List<Path> existing(boolean directories) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> !p.startsWith(folder.resolve(".mirror")))
                    .filter(p -> directories ? Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                            : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted().toList();
        }
    }

    private void deleteTree(Path root, Changes changes) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
                changes.touched(p);
            }
        }
    }

    private String rel(Path path) {
        return folder.relativize(path).toString();
    }

    /** Every entry of the index, local stats and tree hashes included, depth first. */
    private static List<String> dump(TreeIndex index) throws IOException {
        List<String> out = new ArrayList<>();
        dump(index, TreePath.ROOT, out);
        return out;
    }

    private static void dump(TreeIndex index, TreePath dir, List<String> out) throws IOException {
        out.add(dir + " " + index.node(dir).orElse(null) + " " + index.buckets(dir));
        List<IndexedEntry> children = new ArrayList<>();
        try (ChildCursor cursor = index.children(dir)) {
            for (IndexedEntry child = cursor.next(); child != null; child = cursor.next()) {
                children.add(child);
            }
        }
        for (IndexedEntry child : children) {
            out.add(dir.child(child.name()) + " " + child);
            if (child.entry().isDirectory()) {
                dump(index, dir.child(child.name()), out);
            }
        }
    }

    /** What a watcher reports: directories whose own children changed, and created directories as subtrees. */
    private static final class Changes {
        final Set<Path> directories = new HashSet<>();
        final Set<Path> subtrees = new HashSet<>();

        void touched(Path path) {
            directories.add(path.getParent());
        }

        void created(Path path) {
            touched(path);
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                subtrees.add(path);
            }
        }
    }
}
