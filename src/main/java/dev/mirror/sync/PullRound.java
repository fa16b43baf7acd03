package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.store.Expectation;
import dev.mirror.store.DiskFull;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.Installed;
import dev.mirror.store.PathRejectedException;
import dev.mirror.store.StagedFile;
import dev.mirror.store.TargetChangedException;
import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryChange;
import dev.mirror.tree.EntryKind;
import dev.mirror.tree.IndexedEntry;
import dev.mirror.tree.LocalStat;
import dev.mirror.tree.TreeIndex;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.TreeUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * One pass of making our folder hold what a peer holds where its entries win (docs/decisions.md): descend, decide
 * every differing path, then apply the decisions in an order that never needs what is not there yet — conflict copies
 * first (while the loser is still at its path), then directories, links and version merges top-down, then files,
 * then deletions bottom-up (a directory is removed only once its children are). Each change reaches the disk through
 * {@link FileInstaller} (checked against what the index says is there; a user's edit meanwhile is never overwritten)
 * and is recorded in the index only after it is durable. What cannot be done now (the user changed a file, the peer
 * changed one under us) is left for the next round, which the caller starts after a rescan. Runs on the index's
 * single writer thread.
 */
public final class PullRound {
    /** Changes recorded per index batch: one batch per few hundred files keeps the writes cheap. */
    static final int RECORD_BATCH = 512;
    /** Batches that may wait to be recorded until they are durable anyway, before one is flushed just for them. */
    static final int MOST_BATCHES_WAITING = 4;
    /** Parents before children, and in name order within a level: the order phases 2 and 3 apply a round in. */
    private static final Comparator<TreePath> SHALLOW_FIRST = Comparator.comparingInt(TreePath::depth)
            .thenComparing(Comparator.naturalOrder());
    private static final Logger LOG = LoggerFactory.getLogger(PullRound.class);

    private final TreeIndex index;
    private final Path folder;
    private final TreeUpdater updater;
    private final FileInstaller installer;
    private final Reconciler reconciler;
    private final RemoteTree remote;
    private final Transfer transfer;
    private final PullProgress progress;
    private final List<EntryChange> unrecorded = new ArrayList<>();
    /**
     * Batches done on disk and not recorded yet, oldest first, each with the installer's count of changes made
     * through it ({@link FileInstaller#changesMade}): recorded once a flush of the whole filesystem that began after
     * them has ended. In a transfer, the next group's flush on the disk thread does that, so a batch costs no flush of
     * its own: the flush thread waited 15-20 ms for one at every 512 files.
     */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Paths whose file this round moved to a new name (a rename): their deletion is only recorded. */
    private final Set<TreePath> movedAway = new HashSet<>();
    private int deferred;
    /** Files that could not be written because the disk is full: said once, at the end of the round. */
    private int noRoom;
    private int applied;

    public PullRound(TreeIndex index, Path folder, FileInstaller installer, Reconciler reconciler, RemoteTree remote,
                     PullProgress progress) {
        this.index = index;
        this.folder = folder;
        this.updater = new TreeUpdater(index);
        this.installer = installer;
        this.reconciler = reconciler;
        this.remote = remote;
        this.progress = progress;
        this.transfer = new Transfer(index, folder, installer, remote, new ChunkFetcher(remote,
                progress::received));
    }

    /**
     * What a round did.
     *
     * @param applied paths changed or recorded here
     * @param deferred paths left for a later round (changed here or on the peer meanwhile, or failed)
     * @param roundTrips list requests the descent waited on
     */
    public record Outcome(int applied, int deferred, int roundTrips) {
    }

    /** Pulls what differs from the peer whose root is {@code remoteRoot}. */
    public Outcome run(Hash remoteRoot) throws IOException, InterruptedException {
        installer.deferDirectorySyncs();
        Descent.Result found = new Descent(index, remote).run(remoteRoot);
        transfer.askAhead(fetchedFirst(found));
        List<Decided> decided = Decided.all(reconciler, found);
        installer.deletePartsExcept(() -> contentWanted(decided));
        progress.planned(decided);
        try {
            List<Decided> shallowFirst = shallowFirst(decided);
            copyLosers(shallowFirst);
            pullFiles(decided, shallowFirst);
            bottomUp(decided);
        } finally {
            flush();
            progress.finished();
            if (noRoom > 0) {
                LOG.warn("The disk holding {} is full: {} file(s) could not be written and will be fetched again "
                        + "once there is room. Nothing was lost: what is here stays as it was.", folder, noRoom);
            }
        }
        return new Outcome(applied, deferred, found.roundTrips());
    }

    /**
     * The files this round will fetch first, known before it decides anything, so that their chunk lists are on the
     * way while it does ({@link Transfer#askAhead}): where nothing the peer's differences touch is here (a first
     * mirror), every difference is the peer's entry at a path where we have none, which is always pulled, and no
     * file of ours can hold a renamed one's content; the files among them come in the order {@link #pullFiles}
     * takes them, shallowest first. Elsewhere none: conflicts, moves and deletions decide what comes first.
     */
    private static List<Transfer.FileJob> fetchedFirst(Descent.Result found) {
        // The order pullFiles takes files in (shallowFirst): the first wave asked for ahead is the run's first wave.
        Comparator<Descent.Difference> order = Comparator.comparing(Descent.Difference::path, SHALLOW_FIRST);
        PriorityQueue<Descent.Difference> last = new PriorityQueue<>(order.reversed()); // the head goes first
        for (Descent.Difference d : found.differences()) {
            if (d.local() != null) {
                return List.of();
            }
            Entry entry = d.remote().entry();
            // Most come after the first wave's last so far: one comparison each, where adding costs several.
            if (entry.isLive() && entry.kind() == EntryKind.FILE
                    && (last.size() < Transfer.FIRST_WAVE || order.compare(d, last.peek()) < 0)) {
                last.add(d);
                if (last.size() > Transfer.FIRST_WAVE) {
                    last.poll();
                }
            }
        }
        List<Descent.Difference> first = new ArrayList<>(last);
        first.sort(order);
        List<Transfer.FileJob> jobs = new ArrayList<>(first.size());
        for (Descent.Difference d : first) {
            jobs.add(new Transfer.FileJob(d.path(), d.remote().entry(), List.of(d.path()), null));
        }
        return jobs;
    }

    /**
     * The content of every file this round may fetch: parts of other content are left over from files that changed
     * or vanished on the peer before they arrived, and are deleted, so {@code .mirror/tmp/} never holds more than
     * what is still to be fetched. A part wanted from another peer may go too; it is fetched again.
     */
    private static Set<Hash> contentWanted(List<Decided> decided) {
        Set<Hash> wanted = new HashSet<>();
        for (Decided d : decided) {
            Entry target = d.target();
            if (target != null && target.isLive() && target.kind() == EntryKind.FILE) {
                wanted.add(target.contentHash());
            }
            if (d.conflictCopy() != null && d.conflictCopy().entry().kind() == EntryKind.FILE) {
                wanted.add(d.conflictCopy().entry().contentHash());
            }
        }
        return wanted;
    }

    /** Phase 1: every conflict's losing side is kept under its conflict name, on both peers alike. */
    private void copyLosers(List<Decided> shallowFirst) throws IOException, InterruptedException {
        List<Transfer.FileJob> jobs = new ArrayList<>();
        for (Decided d : shallowFirst) {
            if (d.conflictCopy() == null) {
                continue;
            }
            ConflictCopy copy = d.conflictCopy();
            IndexedEntry atCopy = index.entry(copy.path()).orElse(null);
            if (atCopy != null && atCopy.entry().isLive()) {
                deferred++; // a file already has the copy's name: leave both alone and say so
                LOG.warn("Cannot keep the conflicting version of {} as {}: that name is taken", d.path(), copy.path());
                continue;
            }
            Entry lost = copy.entry();
            if (lost.kind() == EntryKind.SYMLINK) {
                place(copy.path(), () -> installer.createSymlink(copy.path().toString(), lost.symlinkTarget(),
                        expectation(atCopy)), lost);
            } else if (d.winner() == Side.LOCAL) {
                // The peer's version lost: fetch it; the peer may already have moved it to the copy's name.
                jobs.add(new Transfer.FileJob(copy.path(), lost, List.of(d.path(), copy.path()), null));
            } else {
                // Ours lost: its chunks are all here, so the copy costs no network bytes.
                jobs.add(new Transfer.FileJob(copy.path(), lost, List.of(), index.chunks(d.path())));
            }
        }
        runJobs(jobs);
    }

    /**
     * Phase 2: directories, symlinks and version merges, parents before children. Under the round's lock: it may run
     * on the flush thread while the writer reports failed files ({@link #pullFiles}).
     */
    private synchronized void topDown(List<Decided> shallowFirst) throws IOException {
        for (Decided d : shallowFirst) {
            Entry target = d.target();
            if (target == null || d.deferredToBottomUp()) {
                continue;
            }
            IndexedEntry local = d.local();
            if (d.keepsLocalContent()) {
                record(d.path(), target, local.local(), null);
            } else if (target.isLive() && target.isDirectory()) {
                place(d.path(), () -> {
                    removeNonDirectory(d.path(), local);
                    installer.createDirectory(d.path().toString(), target.mode());
                    return null;
                }, target);
            } else if (target.isLive() && target.kind() == EntryKind.SYMLINK) {
                place(d.path(), () -> installer.createSymlink(d.path().toString(), target.symlinkTarget(),
                        expectation(local)), target);
            }
        }
        flush();
    }

    /**
     * Phase 2 ({@link #topDown}), then phase 3: files, many at once so the link stays full. A new file whose content
     * is that of a file this round deletes is the peer's rename or move: it is carried out as one here too
     * ({@link FileInstaller#move}), with no copy, no bytes from the peer and no kept version. A move needs its
     * directory made first; where no file leaves (a first mirror, for one) nothing moves, and the directories are made
     * on the flush thread while the writer writes the first files into {@code .mirror/tmp/}, which needs none of
     * them: the first group is installed after them, on that thread, in order. (500 directories took a first mirror
     * of 50,000 files 0.17 s before its first file; docs/writing.md.)
     */
    private void pullFiles(List<Decided> decided, List<Decided> shallowFirst)
            throws IOException, InterruptedException {
        Map<Hash, Decided> leaving = filesLeaving(decided);
        boolean directoriesFirst = !leaving.isEmpty();
        if (directoriesFirst) {
            topDown(shallowFirst);
        }
        Map<Hash, TreePath> localFiles = new HashMap<>();
        for (Decided d : decided) {
            if (d.local() != null && d.local().entry().isLive() && d.local().entry().kind() == EntryKind.FILE) {
                localFiles.putIfAbsent(d.local().entry().contentHash(), d.path());
            }
        }
        List<Transfer.FileJob> jobs = new ArrayList<>();
        for (Decided d : shallowFirst) {
            Entry target = d.target();
            if (target != null && !d.deferredToBottomUp() && !d.keepsLocalContent() && target.isLive()
                    && target.kind() == EntryKind.FILE) {
                Decided source = expectation(d.local()) == Expectation.absent()
                        ? leaving.remove(target.contentHash()) : null;
                if (source == null || !moveInstead(source, d)) {
                    jobs.add(new Transfer.FileJob(d.path(), target, List.of(d.path()),
                            heldList(localFiles, target)));
                }
            }
        }
        runJobs(jobs, directoriesFirst ? null : () -> topDown(shallowFirst));
    }

    /** Files here that this round deletes, by content: where a renamed file's content may already be. */
    private static Map<Hash, Decided> filesLeaving(List<Decided> decided) {
        Map<Hash, Decided> leaving = new HashMap<>();
        for (Decided d : decided) {
            IndexedEntry local = d.local();
            if (d.target() != null && !d.target().isLive() && d.deferredToBottomUp() && local != null
                    && local.entry().isLive() && local.entry().kind() == EntryKind.FILE) {
                leaving.putIfAbsent(local.entry().contentHash(), d);
            }
        }
        return leaving;
    }

    /**
     * Moves {@code source}'s file to {@code d}'s path and records both the new file and the source's deletion at
     * once (a round cut short later must not leave the index saying the source is still there). Whether it moved:
     * if the source or the target is not as the index says, the file is fetched instead and the source deleted as
     * planned.
     */
    private boolean moveInstead(Decided source, Decided d) throws IOException {
        Entry target = d.target();
        ChunkList chunks = index.chunks(source.path());
        Installed moved;
        try {
            moved = installer.move(source.path().toString(), expectation(source.local()), d.path().toString(),
                    target.contentHash(), target.mtimeNanos(), target.mode());
        } catch (TargetChangedException | PathRejectedException e) {
            LOG.debug("Fetching {} rather than moving {} there: {}", d.path(), source.path(), e.getMessage());
            return false;
        }
        record(d.path(), target, localStat(moved.now()), chunks);
        record(source.path(), source.target(), LocalStat.UNKNOWN, null);
        movedAway.add(source.path());
        return true;
    }

    /**
     * The chunk list of {@code target}'s content if a file of this round's differences holds it here — a rename on
     * the peer reaches us as a new path plus the old path's deletion, applied after the files — so it needs no
     * chunk list from the peer: the content hash names the list. Null otherwise. Files outside the differences (a
     * copy on the peer) are not looked for: the index cannot find a file by content hash without a scan of it.
     */
    private ChunkList heldList(Map<Hash, TreePath> localFiles, Entry target) throws IOException {
        TreePath held = localFiles.get(target.contentHash());
        if (held == null) {
            return null;
        }
        ChunkList list = index.chunks(held);
        return list.contentHash().equals(target.contentHash()) && list.totalBytes() == target.size() ? list : null;
    }

    /** Phase 4: deletions, and files or links that replace a directory, children before parents. */
    private void bottomUp(List<Decided> decided) throws IOException, InterruptedException {
        for (Decided d : decided) { // deepest first already
            Entry target = d.target();
            if (target == null || !d.deferredToBottomUp()) {
                continue;
            }
            IndexedEntry local = d.local();
            if (movedAway.contains(d.path())) {
                continue; // moved to its new name in phase 3, and recorded
            }
            if (!target.isLive()) {
                place(d.path(), () -> {
                    if (local != null && local.entry().isLive()) {
                        installer.delete(d.path().toString(), expectation(local));
                    }
                    return null;
                }, target);
                continue;
            }
            place(d.path(), () -> {
                installer.delete(d.path().toString(), Expectation.directory());
                return null;
            }, null);
            IndexedEntry now = index.entry(d.path()).orElse(null);
            if (now != null && now.entry().isDirectory() && now.entry().isLive()) {
                continue; // not empty: deferred
            }
            if (target.kind() == EntryKind.SYMLINK) {
                place(d.path(), () -> installer.createSymlink(d.path().toString(), target.symlinkTarget(),
                        Expectation.absent()), target);
            } else {
                runJobs(List.of(new Transfer.FileJob(d.path(), target, List.of(d.path()), null)));
            }
        }
    }

    private void runJobs(List<Transfer.FileJob> jobs) throws IOException, InterruptedException {
        runJobs(jobs, null);
    }

    /**
     * Builds and installs {@code jobs}' files, after {@code first} (null: nothing), which runs on the flush thread
     * while the first files are written (here, if there are none).
     */
    private void runJobs(List<Transfer.FileJob> jobs, Flusher.Task first) throws IOException, InterruptedException {
        if (jobs.isEmpty()) {
            if (first != null) {
                first.run();
            }
            return;
        }
        transfer.run(jobs, new Transfer.Sink() {
            /** What the index held at each path of the group being handed over, looked up together. */
            private final Map<Transfer.FileJob, IndexedEntry> indexed = new IdentityHashMap<>();

            // Called on the flush thread (handingOver, built, and failed after a failed flush) and on this one
            // (failed): the lock keeps the round's counts and its unrecorded changes whole.
            @Override
            public void handingOver(List<Transfer.FileJob> group) throws IOException {
                synchronized (PullRound.this) {
                    // One multi-get for the group, not a get per file (most of them misses in a first mirror). Only
                    // each job's own install changes the entry at its path, and that comes after its lookup.
                    indexed.clear();
                    List<TreePath> paths = new ArrayList<>(group.size());
                    group.forEach(job -> paths.add(job.path()));
                    List<Optional<IndexedEntry>> found = index.entries(paths);
                    for (int i = 0; i < group.size(); i++) {
                        indexed.put(group.get(i), found.get(i).orElse(null));
                    }
                }
            }

            @Override
            public void built(Transfer.FileJob job, StagedFile file, ChunkList chunks) throws IOException {
                synchronized (PullRound.this) {
                    try (file) {
                        IndexedEntry local = indexed.containsKey(job) ? indexed.remove(job)
                                : index.entry(job.path()).orElse(null);
                        place(job.path(), () -> installer.install(file, job.path().toString(), expectation(local)),
                                job.entry(), chunks);
                    }
                    progress.fileDone(job.entry().size());
                }
            }

            @Override
            public void failed(Transfer.FileJob job, IOException problem) {
                synchronized (PullRound.this) {
                    deferred++;
                    progress.fileDone(job.entry().size());
                    if (DiskFull.is(problem)) {
                        noRoom++;
                    }
                }
                LOG.info("Could not fetch {} now: {}", job.path(), problem.getMessage());
            }
        }, first);
        synchronized (this) {
            flush(); // the flush thread is done (Transfer.run waited for it); the lock only makes that plain
        }
    }

    /** A disk change that, once done, is recorded as {@code entry} (null: record nothing, e.g. a removal step). */
    private interface DiskChange {
        Installed apply() throws IOException;
    }

    private void place(TreePath path, DiskChange change, Entry entry) throws IOException {
        place(path, change, entry, null);
    }

    private void place(TreePath path, DiskChange change, Entry entry, ChunkList chunks) throws IOException {
        try {
            Installed installed = change.apply();
            if (entry != null) {
                LocalStat stat = installed == null ? LocalStat.UNKNOWN : localStat(installed.now());
                record(path, entry, stat, chunks);
            }
        } catch (TargetChangedException e) {
            deferred++;
            LOG.info("Left {} alone: it changed here since the last scan ({}); the next round decides again",
                    path, e.getMessage());
        } catch (PathRejectedException e) {
            deferred++;
            LOG.warn("Refused to write {}: {}", path, e.getMessage());
        }
    }

    /** Removes what is at a path that is to become a directory, keeping it in .mirror/versions/. */
    private void removeNonDirectory(TreePath path, IndexedEntry local) throws IOException {
        if (local != null && local.entry().isLive() && !local.entry().isDirectory()) {
            installer.delete(path.toString(), expectation(local));
        }
    }

    private void record(TreePath path, Entry entry, LocalStat stat, ChunkList chunks)
            throws IOException {
        unrecorded.add(new EntryChange(path, entry, stat, chunks));
        applied++;
        if (unrecorded.size() >= RECORD_BATCH) {
            closeBatch();
            recordDurable(waiting.size() > MOST_BATCHES_WAITING);
        }
    }

    /** Records every change made so far, after making them durable if no flush has yet. */
    private void flush() throws IOException {
        closeBatch();
        recordDurable(true);
    }

    private void closeBatch() {
        if (!unrecorded.isEmpty()) {
            waiting.add(new Waiting(List.copyOf(unrecorded), installer.changesMade()));
            unrecorded.clear();
        }
    }

    /** Records the waiting batches that are durable, in order; with {@code all}, flushes first for the rest. */
    private void recordDurable(boolean all) throws IOException {
        if (all && !waiting.isEmpty()) {
            installer.syncDirectories(); // what the index records must be durable first
        }
        while (!waiting.isEmpty() && installer.changesDurable(waiting.peek().changesMade())) {
            updater.apply(waiting.poll().changes());
        }
    }

    /** A batch of changes on disk waiting to be recorded, and the installer's count of changes made through it. */
    private record Waiting(List<EntryChange> changes, long changesMade) {
    }

    static Expectation expectation(IndexedEntry local) {
        if (local == null || !local.entry().isLive()) {
            return Expectation.absent();
        }
        Entry entry = local.entry();
        return switch (entry.kind()) {
            case DIRECTORY -> Expectation.directory();
            case FILE -> Expectation.file(entry.size(), entry.mtimeNanos(), local.local().inode(),
                    local.local().ctimeNanos());
            case SYMLINK -> Expectation.symlink(entry.symlinkTarget(), local.local().inode(),
                    local.local().ctimeNanos());
        };
    }

    private static LocalStat localStat(Expectation now) {
        if (now instanceof Expectation.RegularFile file) {
            return new LocalStat(file.inode(), file.ctimeNanos());
        }
        if (now instanceof Expectation.Symlink link) {
            return new LocalStat(link.inode(), link.ctimeNanos());
        }
        return LocalStat.UNKNOWN;
    }

    private static List<Decided> shallowFirst(List<Decided> deepestFirst) {
        List<Decided> ordered = new ArrayList<>(deepestFirst);
        ordered.sort(Comparator.comparing(Decided::path, SHALLOW_FIRST));
        return ordered;
    }
}
