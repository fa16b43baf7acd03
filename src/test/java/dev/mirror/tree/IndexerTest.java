package dev.mirror.tree;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.testing.RandomTree;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static dev.mirror.testing.TestFolders.scan;
import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class IndexerTest {
    @TempDir
    Path folder;

    @Test
    void rescanOfUnchangedFolderReadsNothingAndKeepsTheRoot() throws Exception {
        RandomTree.write(folder, 1, 200, 4096);
        ScanReport first = scan(folder);
        ScanReport second = scan(folder);
        assertEquals(200, first.filesRead());
        assertEquals(0, second.filesRead());
        assertEquals(0, second.bytesRead());
        assertEquals(first.summary(), second.summary());
    }

    @Test
    void countsFilesDirectoriesAndBytes() throws Exception {
        write(folder, "a/b/one.txt", "12345");
        write(folder, "a/two", "123");
        write(folder, "é.txt", "");
        Files.createDirectories(folder.resolve("empty"));
        Files.createSymbolicLink(folder.resolve("link"), Path.of("a/two"));
        TreeSummary summary = scan(folder).summary();
        assertEquals(4, summary.files(), "three files and a symlink");
        assertEquals(3, summary.dirs(), "a, a/b and empty");
        assertEquals(8, summary.bytes());
    }

    @Test
    void contentChangeThatKeepsSizeAndMtimeMovesTheRoot() throws Exception {
        Path file = write(folder, "f.txt", "aaaa");
        Instant mtime = Instant.parse("2024-01-01T00:00:00Z");
        TestFolders.setMtime(file, mtime);
        Hash before = scan(folder).summary().treeHash();
        Files.writeString(file, "bbbb");
        TestFolders.setMtime(file, mtime);
        ScanReport after = scan(folder);
        assertEquals(1, after.filesRead(), "the ctime moved, so the file is read again");
        assertNotEquals(before, after.summary().treeHash());
    }

    @Test
    void modeChangeMovesTheRoot() throws Exception {
        Path file = write(folder, "run.sh", "#!/bin/sh");
        Hash before = scan(folder).summary().treeHash();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotEquals(before, scan(folder).summary().treeHash());
    }

    @Test
    void symlinkIsRecordedNotFollowedAndRetargetingMovesTheRoot(@TempDir Path outside) throws Exception {
        write(outside, "secret/big.bin", TestFolders.randomBytes(1, 10_000));
        Files.createSymbolicLink(folder.resolve("out"), outside.resolve("secret"));
        ScanReport first = scan(folder);
        assertEquals(1, first.summary().files());
        assertEquals(0, first.summary().bytes(), "nothing behind the link is indexed");
        Files.delete(folder.resolve("out"));
        Files.createSymbolicLink(folder.resolve("out"), outside);
        assertNotEquals(first.summary().treeHash(), scan(folder).summary().treeHash());
    }

    @Test
    void deletionLeavesTombstonesThatMoveTheRoot() throws Exception {
        write(folder, "keep.txt", "k");
        write(folder, "gone/deep/x.txt", "x");
        write(folder, "gone/y.txt", "y");
        Hash before = scan(folder).summary().treeHash();
        deleteTree(folder.resolve("gone"));
        TreeSummary after = scan(folder).summary();
        assertNotEquals(before, after.treeHash());
        assertEquals(1, after.files());
        assertEquals(0, after.dirs());
        try (TreeIndex index = openIndex()) {
            assertTrue(index.entry(TreePath.of("gone")).orElseThrow().entry().deleted());
            assertTrue(index.entry(TreePath.of("gone/deep/x.txt")).orElseThrow().entry().deleted(),
                    "a deleted directory's files become tombstones too, so their deletion propagates");
        }
    }

    @Test
    void recreatedFileIsANewVersionNotTheOldOne() throws Exception {
        Path file = write(folder, "f.txt", "same");
        Instant mtime = Instant.parse("2024-01-01T00:00:00Z");
        TestFolders.setMtime(file, mtime);
        Hash original = scan(folder).summary().treeHash();
        Files.delete(file);
        scan(folder);
        write(folder, "f.txt", "same");
        TestFolders.setMtime(file, mtime);
        ScanReport again = scan(folder);
        assertEquals(1, again.summary().files());
        assertNotEquals(original, again.summary().treeHash(), "the version vector moved on");
    }

    @Test
    void fileReplacedByDirectoryAndBackLeavesNoStaleEntries() throws Exception {
        write(folder, "x/inner.txt", "i");
        scan(folder);
        deleteTree(folder.resolve("x"));
        write(folder, "x", "now a file");
        TreeSummary summary = scan(folder).summary();
        assertEquals(1, summary.files());
        assertEquals(0, summary.dirs());
        try (TreeIndex index = openIndex(); ChildCursor below = index.children(TreePath.of("x"))) {
            assertNull(below.next(), "nothing is left below a path that is now a file");
            assertTrue(index.node(TreePath.of("x")).isEmpty());
        }
        Files.delete(folder.resolve("x"));
        write(folder, "x/again.txt", "a");
        assertEquals(1, scan(folder).summary().dirs());
    }

    @Test
    void ignoredPathsAndTheStateDirectoryNeverMoveTheRoot() throws Exception {
        write(folder, ".mirrorignore", "*.tmp\nbuild/\n");
        write(folder, "a.txt", "a");
        write(folder, "sub/kept.txt", "k");
        Hash before = scan(folder).summary().treeHash();
        write(folder, "scratch.tmp", "t");
        write(folder, "sub/scratch.tmp", "t");
        write(folder, "build/out.o", "o");
        write(folder, ".mirror/extra", "not synced");
        ScanReport after = scan(folder);
        assertEquals(before, after.summary().treeHash());
    }

    @Test
    void pathThatBecomesIgnoredLeavesTheIndexWithoutATombstone() throws Exception {
        write(folder, "a.txt", "a");
        Hash withoutLog = scan(folder).summary().treeHash();
        write(folder, "debug.log", "log");
        assertNotEquals(withoutLog, scan(folder).summary().treeHash());
        write(folder, ".mirrorignore", "*.log\n");
        Hash ignoring = scan(folder).summary().treeHash();
        try (TreeIndex index = openIndex()) {
            assertTrue(index.entry(TreePath.of("debug.log")).isEmpty(), "ignored paths are neither sent nor deleted");
        }
        Files.delete(folder.resolve(".mirrorignore"));
        Files.delete(folder.resolve("debug.log"));
        // Only a.txt is left, as at first, but the .mirrorignore that came and went left its tombstone.
        assertNotEquals(ignoring, scan(folder).summary().treeHash());
    }

    @Test
    void oneOrFourThreadsGiveTheSameRoot() throws Exception {
        RandomTree.write(folder, 7, 300, 4096);
        write(folder, "big.bin", TestFolders.randomBytes(3, 3 << 20));
        Hash single = scan(folder, 1).summary().treeHash();
        deleteTree(folder.resolve(".mirror/index"));
        Hash four = scan(folder, 4).summary().treeHash();
        assertEquals(single, four);
    }

    @Test
    void closeAndReopenKeepsTheRoot() throws Exception {
        RandomTree.write(folder, 11, 50, 4096);
        TreeSummary scanned = scan(folder).summary();
        try (TreeIndex index = openIndex()) {
            assertEquals(scanned, index.summary());
        }
        assertEquals(scanned, scan(folder).summary());
    }

    @Test
    void sameContentCreatedInAnotherOrderGivesTheSameRoot(@TempDir Path other) throws Exception {
        Instant mtime = Instant.parse("2024-05-05T05:05:05Z");
        String[] names = {"b/2.txt", "a/1.txt", "c.txt", "a/z/3.txt", "é/4.txt", "E/5.txt"};
        for (String name : names) {
            TestFolders.setMtime(write(folder, name, name), mtime);
        }
        Hash first = scan(folder).summary().treeHash();
        // Same identity (version vectors name the device), files created in reverse order.
        copyTree(folder.resolve(".mirror/identity"), other.resolve(".mirror/identity"));
        for (int i = names.length - 1; i >= 0; i--) {
            TestFolders.setMtime(write(other, names[i], names[i]), mtime);
        }
        assertEquals(first, scan(other).summary().treeHash());
    }

    @Test
    void pathOf4000BytesIsIndexed() throws Exception {
        String name = "n".repeat(199);
        StringBuilder relative = new StringBuilder();
        while (relative.length() + 200 < 4000) {
            relative.append(name).append('/');
        }
        relative.append("f".repeat(4000 - relative.length()));
        assertEquals(4000, relative.length());
        write(folder, relative.toString(), "deep");
        ScanReport report = scan(folder);
        assertEquals(1, report.summary().files());
        assertEquals(0, report.problemCount());
    }

    @Test
    void largeDirectoryIsCutIntoSeveralBuckets() throws Exception {
        for (int i = 0; i < 5000; i++) {
            write(folder, "flat/" + i, "");
        }
        scan(folder);
        try (TreeIndex index = openIndex()) {
            var buckets = index.buckets(TreePath.of("flat"));
            assertTrue(buckets.size() > 1 && buckets.size() < 20, buckets.size() + " buckets");
            assertEquals(5000, buckets.stream().mapToInt(Bucket::count).sum());
        }
    }

    @Test
    void chunkIndexFindsEveryChunkWhereItLiesAndForgetsDeletedFiles() throws Exception {
        byte[] content = TestFolders.randomBytes(21, 1 << 20);
        write(folder, "a/big.bin", content);
        scan(folder);
        Hash firstChunk;
        try (TreeIndex index = openIndex()) {
            var chunks = index.chunks(TreePath.of("a/big.bin"));
            firstChunk = chunks.hash(0);
            assertTrue(chunks.count() > 4, chunks.count() + " chunks");
            long offset = 0;
            for (int i = 0; i < chunks.count(); i++) {
                ChunkLocation location = index.findChunk(chunks.hash(i)).orElseThrow();
                assertEquals(TreePath.of("a/big.bin"), location.file());
                assertEquals(offset, location.offset());
                assertEquals(chunks.length(i), location.length());
                byte[] bytes = java.util.Arrays.copyOfRange(content, (int) offset, (int) offset + location.length());
                assertEquals(chunks.hash(i), Hash.sha256(bytes));
                offset += chunks.length(i);
            }
        }
        Files.delete(folder.resolve("a/big.bin"));
        scan(folder);
        try (TreeIndex index = openIndex()) {
            assertEquals(0, index.chunks(TreePath.of("a/big.bin")).count());
            assertTrue(index.findChunk(firstChunk).isEmpty(), "a deleted file's chunks are no longer offered");
        }
    }

    @Test
    void entriesAndChunkListsReadTogetherAreThoseReadOneByOne() throws Exception {
        write(folder, "a/one.txt", "12345");
        write(folder, "a/b/two", TestFolders.randomBytes(3, 600_000));
        write(folder, "empty", "");
        scan(folder);
        List<TreePath> paths = List.of(TreePath.of("a/b/two"), TreePath.ROOT, TreePath.of("missing"),
                TreePath.of("a"), TreePath.of("empty"), TreePath.of("a/one.txt"), TreePath.of("a/b/two"));
        try (TreeIndex index = openIndex()) {
            List<Optional<IndexedEntry>> entries = index.entries(paths);
            List<ChunkList> lists = index.chunks(paths);
            assertEquals(paths.size(), entries.size());
            assertEquals(paths.size(), lists.size());
            for (int i = 0; i < paths.size(); i++) {
                assertEquals(index.entry(paths.get(i)), entries.get(i), paths.get(i).toString());
                assertEquals(index.chunks(paths.get(i)), lists.get(i), paths.get(i).toString());
            }
            assertTrue(entries.get(0).isPresent() && lists.get(0).count() > 1, "a file of several chunks");
            assertTrue(entries.get(1).isEmpty() && entries.get(2).isEmpty(), "the root and a missing path: none");
            assertEquals(List.of(), index.entries(List.of()));
        }
    }

    @Test
    void namesCompareInUtf8ByteOrder() {
        String[] ordered = {"A", "Z", "a", "é", "\uE000", "\uD83D\uDE00"};
        for (int i = 0; i + 1 < ordered.length; i++) {
            assertTrue(TreePath.compareNames(ordered[i], ordered[i + 1]) < 0, ordered[i] + " < " + ordered[i + 1]);
            assertTrue(TreePath.compareNames(ordered[i + 1], ordered[i]) > 0);
        }
        assertEquals(0, TreePath.compareNames("same", "same"));
        assertTrue(TreePath.compareNames("ab", "abc") < 0);
    }

    private TreeIndex openIndex() throws IOException {
        return TreeIndex.open(folder.resolve(".mirror/index"), TreeParams.DEFAULT);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
