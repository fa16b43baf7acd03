package dev.mirror.tree;

import dev.mirror.core.Hash;
import dev.mirror.identity.Identity;
import dev.mirror.scan.ChunkList;
import dev.mirror.scan.Chunker;
import dev.mirror.scan.FileHasher;
import dev.mirror.scan.FileStat;
import dev.mirror.scan.FileStats;
import dev.mirror.scan.HashedFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.mirror.testing.TestFolders.scan;
import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incremental path must agree with the full scan byte for byte: every test applies changes through
 * {@link TreeUpdater}, then runs a full scan, which recomputes every hash from scratch and must find nothing new.
 */
@Timeout(120)
class TreeUpdaterTest {
    @TempDir
    Path folder;

    @Test
    void oneChangeInADirectoryOf20000EntriesHashesOneBucketAndMatchesAFullScan() throws Exception {
        for (int i = 0; i < 20_000; i++) {
            write(folder, "flat/" + i, "");
        }
        scan(folder);
        write(folder, "flat/12345", "changed");
        TreeSummary incremental;
        int hashed;
        try (TreeIndex index = openIndex()) {
            TreeUpdater updater = new TreeUpdater(index);
            incremental = updater.apply(List.of(observe(index, "flat/12345")));
            hashed = updater.childrenHashed();
        }
        assertTrue(hashed < 3 * 1024, hashed + " children hashed; a bucket holds about 1,024");
        assertFullScanAgrees(incremental);
    }

    @Test
    void addingAndRemovingNamesAnywhereMatchesAFullScan() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            write(folder, "d/" + i, "x");
        }
        write(folder, "top.txt", "t");
        scan(folder);
        for (int round = 0; round < 5; round++) {
            List<String> touched = new ArrayList<>();
            for (int k = 0; k < 20; k++) {
                String name = "d/" + random.nextInt(4000);
                if (touched.contains(name)) {
                    continue;
                }
                touched.add(name);
                if (Files.exists(folder.resolve(name)) && random.nextBoolean()) {
                    Files.delete(folder.resolve(name));
                } else {
                    write(folder, name, "round " + round);
                }
            }
            TreeSummary incremental;
            try (TreeIndex index = openIndex()) {
                List<EntryChange> changes = new ArrayList<>();
                for (String name : touched) {
                    changes.add(observe(index, name));
                }
                incremental = new TreeUpdater(index).apply(changes);
            }
            assertFullScanAgrees(incremental);
        }
    }

    @Test
    void newDirectoryWithAFileAndASymlinkMatchesAFullScan() throws Exception {
        write(folder, "a.txt", "a");
        scan(folder);
        write(folder, "new/dir/f.txt", "f");
        Files.createSymbolicLink(folder.resolve("new/link"), Path.of("dir/f.txt"));
        TreeSummary incremental;
        try (TreeIndex index = openIndex()) {
            incremental = new TreeUpdater(index).apply(List.of(observe(index, "new"), observe(index, "new/dir"),
                    observe(index, "new/dir/f.txt"), observe(index, "new/link")));
        }
        assertEquals(3, incremental.files());
        assertEquals(2, incremental.dirs());
        assertFullScanAgrees(incremental);
    }

    @Test
    void removalWithoutTombstoneRestoresTheEarlierRoot() throws Exception {
        write(folder, "a.txt", "a");
        Hash before = scan(folder).summary().treeHash();
        write(folder, "b.txt", "b");
        try (TreeIndex index = openIndex()) {
            TreeUpdater updater = new TreeUpdater(index);
            Hash with = updater.apply(List.of(observe(index, "b.txt"))).treeHash();
            assertNotEquals(before, with);
            assertEquals(before, updater.apply(List.of(EntryChange.removal(TreePath.of("b.txt")))).treeHash());
        }
    }

    /** What a watcher would hand the updater for {@code relative}, as it is on disk now. */
    private EntryChange observe(TreeIndex index, String relative) throws IOException {
        TreePath path = TreePath.of(relative);
        Path file = folder.resolve(relative);
        IndexedEntry old = index.entry(path).orElse(null);
        VersionVector version = old == null ? VersionVector.EMPTY : old.entry().version();
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return new EntryChange(path, old.entry().deletedBy(deviceOf(folder)), LocalStat.UNKNOWN, null);
        }
        FileStat stat = FileStats.read(file, path.name());
        LocalStat local = new LocalStat(stat.inode(), stat.ctimeNanos());
        version = version.bumped(deviceOf(folder));
        switch (stat.type()) {
            case DIRECTORY:
                return new EntryChange(path, Entry.directory(stat.mode(), version), local, null);
            case SYMLINK:
                byte[] target = stat.symlinkTarget().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                return new EntryChange(path, Entry.symlink(stat.symlinkTarget(), Hash.sha256(target), target.length,
                        version), local, null);
            default:
                HashedFile hashed = new FileHasher(new Chunker(TreeParams.DEFAULT.chunker()),
                        () -> System.currentTimeMillis() * 1_000_000L + 60_000_000_000L).hash(file, stat);
                ChunkList chunks = hashed.chunks();
                return new EntryChange(path, Entry.file(stat.size(), stat.mtimeNanos(), stat.mode(),
                        chunks.contentHash(), version), local, chunks);
        }
    }

    private void assertFullScanAgrees(TreeSummary incremental) throws Exception {
        var report = scan(folder);
        assertEquals(0, report.filesRead(), "the updater recorded every file as the scan would");
        assertEquals(incremental, report.summary());
    }

    private static long deviceOf(Path dir) throws IOException {
        return Identity.loadOrCreate(dir.resolve(".mirror")).deviceId().shortId();
    }

    private TreeIndex openIndex() throws IOException {
        return TreeIndex.open(folder.resolve(".mirror/index"), TreeParams.DEFAULT);
    }
}
