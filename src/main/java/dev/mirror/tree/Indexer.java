package dev.mirror.tree;

import dev.mirror.core.Hash;
import dev.mirror.scan.DirectoryReader;
import dev.mirror.scan.FileHasher;
import dev.mirror.scan.FileStat;
import dev.mirror.scan.FileStats;
import dev.mirror.scan.FileType;
import dev.mirror.scan.HashedFile;
import dev.mirror.scan.IgnoreRules;
import dev.mirror.scan.ScanProblem;
import dev.mirror.scan.ScanProgress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A full scan: brings the index in line with the folder on disk. The calling thread walks the folder depth first and
 * compares each directory with what the index holds, while {@code hashPool} lists the directories just ahead of it
 * (readdir and lstat, the bulk of a rescan) and reads the files whose stat changed; each
 * directory is committed on {@code writer} (the index's single writer) once all its children are final, so
 * children are always committed before their parents and the root last. Every directory's hash is recomputed from
 * its children, which is what lets one full scan repair an index that a crash left half-written.
 *
 * <p>A partial rescan ({@link #rescan}) runs the same walk but enters only the directories its scope names, the
 * directories on the way down to them, and directories whose own stat moved; every other subtree is kept as the
 * index holds it. See {@link #rescan} for why the result equals a full scan.
 *
 * <p>One scan at a time per index (the caller holds the folder lock). Not thread-safe.
 */
public final class Indexer {
    public static final int MAX_PROBLEMS_KEPT = 1000;
    /** Files queued for reading at once: enough to keep every core busy, few enough to bound memory. */
    private static final int QUEUED_FILES = 256;
    /** Directories walked but not yet committed; far above any real depth, which is all this must allow. */
    private static final int OPEN_DIRECTORIES = 4096;
    /** Directory listings read ahead of the walk; each holds one directory's stats until the walk reaches it. */
    private static final int LISTINGS_AHEAD = 64;
    private static final String STATE_DIRECTORY = ".mirror";

    private final TreeIndex index;
    private final Path root;
    private final IgnoreRules ignore;
    private final long device;
    private final FileHasher hasher;
    private final Executor hashPool;
    private final Executor writer;
    private final ScanProgress progress;
    private final DirectoryCommit commit;
    private final Semaphore queuedFiles = new Semaphore(QUEUED_FILES);
    private final Semaphore openDirectories = new Semaphore(OPEN_DIRECTORIES);
    private final Semaphore listingsAhead = new Semaphore(LISTINGS_AHEAD);
    private final List<ScanProblem> problems = new ArrayList<>();
    private final AtomicLong problemCount = new AtomicLong();
    /** What a partial rescan looks at; null in a full scan, which looks at everything. */
    private RescanScope scope;

    /** @param device this device's short ID, whose counter a local change bumps */
    public Indexer(TreeIndex index, Path root, IgnoreRules ignore, long device, FileHasher hasher, Executor hashPool,
                   Executor writer, ScanProgress progress) {
        this.index = index;
        this.root = root;
        this.ignore = ignore;
        this.device = device;
        this.hasher = hasher;
        this.hashPool = hashPool;
        this.writer = writer;
        this.progress = progress;
        this.commit = new DirectoryCommit(index, new BucketRule(index.params().bucketBits()));
    }

    /**
     * Scans the whole folder.
     *
     * @throws IOException if the folder itself cannot be listed or the index cannot be written
     */
    public ScanReport scan() throws IOException, InterruptedException {
        index.markScanStarted();
        List<FileStat> top = DirectoryReader.list(root, "", this::report);
        return finish(walk(TreePath.ROOT, root, null, top));
    }

    /**
     * Scans only what {@code scope} names, and re-hashes every directory on the way up to the root. The result is the
     * index a full scan would give, provided every directory whose own children changed since the last scan is in the
     * scope (directly, or inside one of its subtrees). A full scan of an unchanged directory finds every child as the
     * index holds it, so keeping a subtree is what the full scan would have written there; the directories that are
     * entered go through the same walk and the same {@link DirectoryCommit} as in a full scan, and a directory on the
     * way down is committed from its stored children, with the one leading down replaced by its fresh outcome. As a
     * guard against a missed change, a subdirectory whose inode, ctime or mode moved (a child was added, removed or
     * renamed in it) is listed even when the scope does not name it, and a directory on the way down whose child
     * leading down is no longer an indexed directory on disk is listed in full.
     *
     * @throws IOException if the folder itself cannot be listed or the index cannot be written
     */
    public ScanReport rescan(RescanScope scope) throws IOException, InterruptedException {
        this.scope = scope;
        index.markScanStarted();
        Map<String, FileStat> onTheWay = scope.lists(TreePath.ROOT) ? null : statOnTheWay(TreePath.ROOT, root);
        return finish(onTheWay != null ? walkOnTheWay(TreePath.ROOT, root, null, onTheWay)
                : walk(TreePath.ROOT, root, null, DirectoryReader.list(root, "", this::report)));
    }

    private ScanReport finish(CompletableFuture<TreeSummary> summary) throws IOException, InterruptedException {
        TreeSummary result = await(summary);
        index.markScanFinished();
        synchronized (problems) {
            return new ScanReport(result, progress.filesRead(), progress.bytesRead(), problems, problemCount.get());
        }
    }

    /**
     * Walks one directory whose children on disk are {@code onDisk} (empty if it is gone) and returns its summary
     * once it is committed.
     */
    private CompletableFuture<TreeSummary> walk(TreePath dir, Path absolute, Entry dirEntry, List<FileStat> onDisk)
            throws InterruptedException, IOException {
        openDirectories.acquire();
        progress.sawEntries(onDisk.size());
        Map<String, CompletableFuture<List<FileStat>>> ahead = listAhead(dir, absolute, onDisk);
        List<CompletableFuture<ChildOutcome>> children = new ArrayList<>();
        try (ChildCursor stored = index.children(dir)) {
            IndexedEntry known = stored.next();
            int next = 0;
            while (next < onDisk.size() || known != null) {
                FileStat seen = next < onDisk.size() ? onDisk.get(next) : null;
                int order = seen == null ? 1 : known == null ? -1 : TreePath.compareNames(seen.name(), known.name());
                if (dir.isRoot() && STATE_DIRECTORY.equals(order <= 0 ? seen.name() : known.name())) {
                    // Never indexed; a stale entry from before is dropped.
                    children.add(CompletableFuture.completedFuture(order > 0
                            ? ChildOutcome.removed(known.name(), known.entry().isDirectory())
                            : ChildOutcome.nothing(seen.name())));
                } else if (order < 0) {
                    children.add(present(dir, absolute, seen, null, ahead));
                } else if (order > 0) {
                    children.add(gone(dir, known));
                } else {
                    children.add(present(dir, absolute, seen, known, ahead));
                }
                if (order <= 0) {
                    next++;
                }
                if (order >= 0) {
                    known = stored.next();
                }
            }
        }
        // Read-ahead for subdirectories the walk did not enter (ignored now, or kept as they were).
        listingsAhead.release(ahead.size());
        return commitWhenDone(dir, dirEntry, children);
    }

    /**
     * Walks a directory on the way down to what a partial rescan must list, without listing it: its children are
     * the index's, except those leading down ({@code onTheWay}, just stat'ed), which are entered.
     */
    private CompletableFuture<TreeSummary> walkOnTheWay(TreePath dir, Path absolute, Entry dirEntry,
                                                        Map<String, FileStat> onTheWay)
            throws InterruptedException, IOException {
        openDirectories.acquire();
        List<CompletableFuture<ChildOutcome>> children = new ArrayList<>();
        try (ChildCursor stored = index.children(dir)) {
            for (IndexedEntry known = stored.next(); known != null; known = stored.next()) {
                FileStat seen = onTheWay.get(known.name());
                TreePath path = dir.child(known.name());
                children.add(seen == null ? done(keep(path, known))
                        : directory(path, absolute.resolve(known.name()), seen, known, null));
            }
        }
        return commitWhenDone(dir, dirEntry, children);
    }

    /**
     * Stats the children of {@code dir} that lead down to what the scope lists; null if one of them is not an indexed
     * directory that is still a directory on disk, in which case {@code dir} must be listed instead.
     */
    private Map<String, FileStat> statOnTheWay(TreePath dir, Path absolute) throws IOException {
        Set<String> names = scope.childrenOnTheWay(dir);
        Map<String, FileStat> stats = new HashMap<>();
        for (String name : names) {
            Entry known = index.entry(dir.child(name)).map(IndexedEntry::entry).orElse(null);
            if (known == null || !known.isDirectory() || !known.isLive()) {
                return null;
            }
            try {
                FileStat seen = FileStats.read(absolute.resolve(name), name);
                if (seen.type() != FileType.DIRECTORY) {
                    return null;
                }
                stats.put(name, seen);
            } catch (IOException e) {
                return null;
            }
        }
        return stats;
    }

    /** Commits {@code dir} on the writer once every child's outcome is final. */
    private CompletableFuture<TreeSummary> commitWhenDone(TreePath dir, Entry dirEntry,
                                                          List<CompletableFuture<ChildOutcome>> children) {
        return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            try {
                List<ChildOutcome> outcomes = new ArrayList<>(children.size());
                for (CompletableFuture<ChildOutcome> child : children) {
                    outcomes.add(child.join());
                }
                return commit.commit(dir, dirEntry, outcomes);
            } catch (IOException e) {
                throw new CompletionException(e);
            } finally {
                openDirectories.release();
            }
        }, writer);
    }

    /**
     * Starts listing, on the pool, the subdirectories the walk is about to enter, as far as the read-ahead budget
     * allows; the rest are listed when the walk reaches them.
     */
    private Map<String, CompletableFuture<List<FileStat>>> listAhead(TreePath dir, Path absolute,
                                                                    List<FileStat> onDisk) {
        Map<String, CompletableFuture<List<FileStat>>> ahead = new HashMap<>();
        if (scope != null) {
            // A partial rescan enters few of the subdirectories it sees: listing them all ahead would cost more.
            return ahead;
        }
        for (FileStat child : onDisk) {
            if (child.type() != FileType.DIRECTORY || (dir.isRoot() && STATE_DIRECTORY.equals(child.name()))
                    || !listingsAhead.tryAcquire()) {
                continue;
            }
            Path childPath = absolute.resolve(child.name());
            String relative = dir.isRoot() ? child.name() : dir + "/" + child.name();
            ahead.put(child.name(), CompletableFuture.supplyAsync(() -> {
                try {
                    return DirectoryReader.list(childPath, relative, this::report);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, hashPool));
        }
        return ahead;
    }

    /** A child that exists on disk; {@code known} is what the index holds for it, or null. */
    private CompletableFuture<ChildOutcome> present(TreePath dir, Path absolute, FileStat seen, IndexedEntry known,
                                                    Map<String, CompletableFuture<List<FileStat>>> ahead)
            throws InterruptedException, IOException {
        TreePath path = dir.child(seen.name());
        if (ignore.ignoresEntry(path.toString(), seen.type() == FileType.DIRECTORY)) {
            return done(known == null ? ChildOutcome.nothing(seen.name())
                    : ChildOutcome.removed(seen.name(), known.entry().isDirectory()));
        }
        boolean wasDirectory = known != null && known.entry().isDirectory() && known.entry().isLive();
        switch (seen.type()) {
            case FILE:
                return file(path, absolute.resolve(seen.name()), seen, known);
            case SYMLINK:
                return done(symlink(seen, known));
            case DIRECTORY:
                return directory(path, absolute.resolve(seen.name()), seen, known, ahead.remove(seen.name()));
            case OTHER:
                return known == null ? done(ChildOutcome.nothing(seen.name())) : gone(dir, known);
            case UNKNOWN:
            default:
                return done(known == null ? ChildOutcome.nothing(seen.name()) : keep(path, known));
        }
    }

    private CompletableFuture<ChildOutcome> file(TreePath path, Path absolute, FileStat seen, IndexedEntry known)
            throws InterruptedException {
        Entry before = known == null ? null : known.entry();
        if (before != null && before.kind() == EntryKind.FILE && before.isLive() && unchanged(seen, known)) {
            return done(ChildOutcome.kept(known, null));
        }
        queuedFiles.acquire();
        return CompletableFuture.supplyAsync(() -> {
            try {
                HashedFile hashed = hasher.hash(absolute, seen);
                progress.readFile(hashed.stat().size());
                FileStat stat = hashed.stat();
                Entry entry = Entry.file(stat.size(), stat.mtimeNanos(), stat.mode(), hashed.chunks().contentHash(),
                        VersionVector.EMPTY);
                LocalStat local = new LocalStat(stat.inode(), hashed.racy() ? 0 : stat.ctimeNanos());
                IndexedEntry next = IndexedEntry.leaf(seen.name(), versioned(entry, before), local);
                boolean wasDirectory = before != null && before.isDirectory();
                boolean sameContent = before != null && before.kind() == EntryKind.FILE && before.isLive()
                        && entry.contentHash().equals(before.contentHash());
                return new ChildOutcome(seen.name(), next, !next.equals(known), sameContent ? null : hashed.chunks(),
                        false, wasDirectory, null);
            } catch (IOException e) {
                report(new ScanProblem(path.toString(), describe(e)));
                return known == null ? ChildOutcome.nothing(seen.name()) : keepLeaf(known);
            } finally {
                queuedFiles.release();
            }
        }, hashPool);
    }

    private ChildOutcome symlink(FileStat seen, IndexedEntry known) {
        byte[] target = seen.symlinkTarget().getBytes(StandardCharsets.UTF_8);
        Entry entry = Entry.symlink(seen.symlinkTarget(), Hash.sha256(target), target.length, VersionVector.EMPTY);
        Entry before = known == null ? null : known.entry();
        IndexedEntry next = IndexedEntry.leaf(seen.name(), versioned(entry, before),
                new LocalStat(seen.inode(), seen.ctimeNanos()));
        boolean wasFile = before != null && before.kind() == EntryKind.FILE && before.isLive();
        boolean wasDirectory = before != null && before.isDirectory();
        return new ChildOutcome(seen.name(), next, !next.equals(known), null, wasFile, wasDirectory, null);
    }

    private CompletableFuture<ChildOutcome> directory(TreePath path, Path absolute, FileStat seen,
                                                      IndexedEntry known,
                                                      CompletableFuture<List<FileStat>> listedAhead)
            throws InterruptedException, IOException {
        boolean statUnchanged = scope != null && unchangedDirectory(seen, known);
        if (statUnchanged && !scope.reaches(path)) {
            return done(keep(path, known));
        }
        Map<String, FileStat> onTheWay = statUnchanged && !scope.lists(path) ? statOnTheWay(path, absolute) : null;
        Entry before = known == null ? null : known.entry();
        Entry entry = versioned(Entry.directory(seen.mode(), VersionVector.EMPTY), before);
        CompletableFuture<TreeSummary> walked;
        if (onTheWay != null) {
            walked = walkOnTheWay(path, absolute, entry, onTheWay);
        } else {
            List<FileStat> onDisk;
            try {
                onDisk = listedAhead == null ? DirectoryReader.list(absolute, path.toString(), this::report)
                        : awaitListing(listedAhead);
            } catch (IOException e) {
                report(new ScanProblem(path.toString(), "cannot list directory (" + describe(e)
                        + "); kept as last indexed"));
                return done(known == null ? ChildOutcome.nothing(seen.name()) : keep(path, known));
            }
            walked = walk(path, absolute, entry, onDisk);
        }
        boolean wasFile = before != null && before.kind() == EntryKind.FILE && before.isLive();
        LocalStat local = new LocalStat(seen.inode(), seen.ctimeNanos());
        return walked.thenApply(subtree -> directoryOutcome(
                new IndexedEntry(seen.name(), entry, local, subtree.treeHash()), known, subtree, wasFile));
    }

    /**
     * Whether a directory on disk is the one the index holds, with the same children's names: adding, removing or
     * renaming a child moves a directory's ctime, and another directory in its place has another inode.
     */
    private static boolean unchangedDirectory(FileStat seen, IndexedEntry known) {
        if (known == null || !known.entry().isDirectory() || !known.entry().isLive()) {
            return false;
        }
        LocalStat local = known.local();
        return local.ctimeNanos() != 0 && local.ctimeNanos() == seen.ctimeNanos() && local.inode() == seen.inode()
                && known.entry().mode() == seen.mode();
    }

    private List<FileStat> awaitListing(CompletableFuture<List<FileStat>> listing)
            throws IOException, InterruptedException {
        try {
            return await(listing);
        } finally {
            listingsAhead.release();
        }
    }

    /** The future's value, with the I/O failure behind it rethrown as itself. */
    private static <T> T await(CompletableFuture<T> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("scan failed", cause);
        }
    }

    /** A child the index holds that is no longer on disk (or is no longer something we index). */
    private CompletableFuture<ChildOutcome> gone(TreePath dir, IndexedEntry known)
            throws InterruptedException, IOException {
        TreePath path = dir.child(known.name());
        Entry before = known.entry();
        if (ignore.ignoresEntry(path.toString(), before.isDirectory())) {
            return done(ChildOutcome.removed(known.name(), before.isDirectory()));
        }
        if (before.deleted()) {
            return done(keep(path, known));
        }
        Entry tombstone = before.deletedBy(device);
        if (!before.isDirectory()) {
            IndexedEntry next = IndexedEntry.leaf(known.name(), tombstone, LocalStat.UNKNOWN);
            return done(new ChildOutcome(known.name(), next, true, null, true, false, null));
        }
        // A deleted directory: every live entry below it becomes a tombstone too, so the deletion propagates.
        return walk(path, null, tombstone, List.of()).thenApply(subtree -> directoryOutcome(
                new IndexedEntry(known.name(), tombstone, LocalStat.UNKNOWN, subtree.treeHash()), known, subtree,
                false));
    }

    private static ChildOutcome directoryOutcome(IndexedEntry next, IndexedEntry known, TreeSummary subtree,
                                                 boolean wasFile) {
        return new ChildOutcome(next.name(), next, !next.equals(known), null, wasFile, false, subtree);
    }

    /** Keeps what the index knows, as it is. */
    private ChildOutcome keep(TreePath path, IndexedEntry known) throws IOException {
        if (!known.entry().isDirectory()) {
            return keepLeaf(known);
        }
        TreeSummary subtree = index.node(path).orElse(new TreeSummary(known.treeHash(), 0, 0, 0));
        return ChildOutcome.kept(known, subtree);
    }

    private static ChildOutcome keepLeaf(IndexedEntry known) {
        return ChildOutcome.kept(known, null);
    }

    /**
     * Gives a freshly observed entry its version: unchanged content keeps the version it had, anything else is a
     * change by this device.
     */
    private Entry versioned(Entry observed, Entry before) {
        if (before == null) {
            return withVersion(observed, VersionVector.EMPTY.bumped(device));
        }
        Entry candidate = withVersion(observed, before.version());
        return candidate.sameContentAs(before) ? candidate : withVersion(observed, before.version().bumped(device));
    }

    private static Entry withVersion(Entry entry, VersionVector version) {
        return new Entry(entry.kind(), entry.size(), entry.mtimeNanos(), entry.mode(), entry.contentHash(),
                entry.deleted(), version, entry.symlinkTarget());
    }

    private static boolean unchanged(FileStat seen, IndexedEntry known) {
        Entry entry = known.entry();
        LocalStat local = known.local();
        return local.ctimeNanos() != 0 && local.ctimeNanos() == seen.ctimeNanos() && local.inode() == seen.inode()
                && entry.size() == seen.size() && entry.mtimeNanos() == seen.mtimeNanos() && entry.mode() == seen.mode();
    }

    private void report(ScanProblem problem) {
        problemCount.incrementAndGet();
        synchronized (problems) {
            if (problems.size() < MAX_PROBLEMS_KEPT) {
                problems.add(problem);
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
