package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.NamedThreadFactory;
import dev.mirror.identity.Identity;
import dev.mirror.scan.Chunker;
import dev.mirror.scan.FileHasher;
import dev.mirror.scan.IgnoreRules;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FolderLock;
import dev.mirror.store.FolderPresence;
import dev.mirror.store.StateDirectory;
import dev.mirror.tree.IndexDamagedException;
import dev.mirror.tree.Indexer;
import dev.mirror.tree.RescanScope;
import dev.mirror.tree.ScanReport;
import dev.mirror.tree.TreeIndex;
import dev.mirror.tree.TreeParams;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.TreeSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A synced folder opened for work by this process: holds its lock, identity and index, and runs scans. Assembled in
 * one place so every command opens a folder the same way. Closing releases everything, in reverse order; closing
 * twice is safe. One thread at a time.
 */
public final class Folder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Folder.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final StateDirectory state;
    private final FolderPresence presence;
    private final FolderLock lock;
    /** Set once by {@link #open}, before the folder is handed out. */
    private Identity identity;
    private final Clock clock;
    private final int hashThreads;
    private final List<String> notices = new ArrayList<>();
    private TreeIndex index;
    /** The rules of the last scan, for the watcher's thread (which skips ignored directories) and partial rescans. */
    private volatile IgnoreRules ignoreRules = IgnoreRules.NONE;

    private Folder(StateDirectory state, FolderLock lock, Clock clock, int hashThreads) throws IOException {
        this.state = state;
        this.presence = FolderPresence.of(state);
        this.lock = lock;
        this.clock = clock;
        this.hashThreads = hashThreads;
    }

    /**
     * Opens {@code directory}: creates {@code .mirror/} and the identity on first use, takes the folder lock, and
     * opens the index. A damaged index is moved aside and a new one started; {@link #notices()} says so. The identity
     * is loaded or created on a thread of its own while the index opens: creating one (a key pair, a certificate,
     * two durable files) took a first {@code join} 0.12 s, opening the index another 0.05, one after the other.
     *
     * @param hashThreads how many threads read files during a scan
     */
    public static Folder open(Path directory, Clock clock, int hashThreads) throws IOException {
        long startNanos = System.nanoTime();
        StateDirectory state = StateDirectory.open(directory);
        FolderLock lock = FolderLock.acquire(state);
        FutureTask<Identity> identity = new FutureTask<>(() -> Identity.loadOrCreate(state.path()));
        new NamedThreadFactory("mirror-identity").newThread(identity).start();
        Folder folder = null;
        try {
            folder = new Folder(state, lock, clock, hashThreads);
            folder.index = folder.openIndex();
            folder.identity = await(identity);
            LOG.debug("Opened {} in {} ms", state.folder(), (System.nanoTime() - startNanos) / 1_000_000);
            return folder;
        } catch (IOException | RuntimeException e) {
            if (!identity.isDone()) {
                await(identity, e); // it writes into .mirror/: let it finish before the lock goes
            }
            if (folder != null) {
                folder.close(); // the index, if open, then the lock
            } else {
                lock.close();
            }
            throw e;
        }
    }

    /** The identity {@code task} loaded or created, waiting for it; its failure as it was thrown. */
    private static Identity await(FutureTask<Identity> task) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // a few hundred milliseconds at most: the lock is held until it ends
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("Loading the identity failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for {@code task} after {@code first} failed, adding its own failure to {@code first}'s. */
    private static void await(FutureTask<Identity> task, Exception first) {
        try {
            await(task);
        } catch (IOException | RuntimeException e) {
            first.addSuppressed(e);
        }
    }

    public static Folder open(Path directory) throws IOException {
        return open(directory, Clock.systemUTC(), Runtime.getRuntime().availableProcessors());
    }

    public DeviceId deviceId() {
        return identity.deviceId();
    }

    public Path path() {
        return state.folder();
    }

    public Identity identity() {
        return identity;
    }

    public StateDirectory state() {
        return state;
    }

    public Clock clock() {
        return clock;
    }

    /** The index, for the sync engine: write to it only from the thread that runs scans. */
    public TreeIndex index() {
        return index;
    }

    /** What the index holds now, without scanning. */
    public TreeSummary summary() throws IOException {
        return index.summary();
    }

    /** Things the user should know that are not errors, such as an index rebuilt after damage. */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /**
     * @throws dev.mirror.store.FolderGoneException if the folder or its {@code .mirror/} disappeared or was replaced
     *         since it was opened ({@link FolderPresence}): then nothing may be scanned or written
     */
    public void checkPresent() throws IOException {
        presence.check();
    }

    /**
     * Brings the index in line with the folder; a damaged index found during the scan is rebuilt once. Checks first
     * that the folder is still present ({@link #checkPresent}).
     */
    public ScanReport scan(ScanProgress progress) throws IOException, InterruptedException {
        try {
            return runScan(progress, null);
        } catch (IndexDamagedException e) {
            index.close();
            index = replaceDamaged(e);
            return runScan(new ScanProgress(), null);
        }
    }

    /**
     * Brings the index in line with the folder after changes in the given directories only (absolute paths; those
     * outside the folder or in {@code .mirror/} are left out), re-indexing them and re-hashing their ancestors
     * ({@link Indexer#rescan}). Falls back to a full scan when one is needed anyway: the whole folder changed, the
     * ignore rules changed (which may hide or reveal any path), or the last scan was cut off.
     *
     * @param directories directories whose own children changed
     * @param subtrees directories in which anything may have changed
     */
    public ScanReport rescan(Collection<Path> directories, Collection<Path> subtrees, ScanProgress progress)
            throws IOException, InterruptedException {
        RescanScope scope = new RescanScope(treePaths(directories), treePaths(subtrees));
        if (scope.isWholeFolder() || index.wasInterrupted()
                || !IgnoreRules.load(state.folder()).toString().equals(ignoreRules.toString())) {
            return scan(progress);
        }
        try {
            return runScan(progress, scope);
        } catch (IndexDamagedException e) {
            return scan(progress);
        }
    }

    /** Whether a watcher should watch {@code directory}: inside the folder, not in {@code .mirror/}, not ignored. */
    public boolean isWatchable(Path directory) {
        Path relative = state.folder().relativize(directory);
        if (relative.toString().isEmpty()) {
            return true;
        }
        if (relative.startsWith("..") || relative.startsWith(StateDirectory.NAME)) {
            return false;
        }
        return !ignoreRules.ignores(slashed(relative), true);
    }

    @Override
    public void close() throws IOException {
        try {
            if (index != null) {
                index.close();
            }
        } finally {
            lock.close();
        }
    }

    /** @param scope what to look at, or null for everything */
    private ScanReport runScan(ScanProgress progress, RescanScope scope) throws IOException, InterruptedException {
        presence.check();
        if (scope == null && index.wasInterrupted()) {
            notices.add("The last scan of " + state.folder() + " was cut off; this full scan repairs the index.");
        }
        IgnoreRules ignore = IgnoreRules.load(state.folder());
        ignoreRules = ignore;
        FileHasher hasher = new FileHasher(new Chunker(index.params().chunker()), this::wallClockNanos);
        ExecutorService hashPool = Executors.newFixedThreadPool(hashThreads, new NamedThreadFactory("mirror-hash"));
        ExecutorService writer = Executors.newSingleThreadExecutor(new NamedThreadFactory("mirror-index-writer"));
        try {
            Indexer indexer = new Indexer(index, state.folder(), ignore, identity.deviceId().shortId(), hasher,
                    hashPool, writer, progress);
            long startNanos = System.nanoTime();
            ScanReport report = scope == null ? indexer.scan() : indexer.rescan(scope);
            LOG.debug("Scanned {} ({}) in {} ms: {} entries, {} files read", state.folder(),
                    scope == null ? "all" : scope, (System.nanoTime() - startNanos) / 1_000_000,
                    progress.entriesSeen(), report.filesRead());
            return report;
        } finally {
            hashPool.shutdownNow();
            writer.shutdownNow();
            hashPool.awaitTermination(1, TimeUnit.MINUTES);
            writer.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** The folder's paths among {@code paths}, as tree paths; a name the index cannot hold stands for its parent. */
    private Set<TreePath> treePaths(Collection<Path> paths) {
        Set<TreePath> tree = new HashSet<>();
        for (Path path : paths) {
            Path relative = state.folder().relativize(path.toAbsolutePath());
            if (relative.startsWith("..") || relative.startsWith(StateDirectory.NAME)) {
                continue;
            }
            for (; ; relative = Objects.requireNonNullElse(relative.getParent(), Path.of(""))) {
                try {
                    tree.add(TreePath.of(slashed(relative)));
                    break;
                } catch (IllegalArgumentException e) {
                    // Such a name is never indexed; its parent's listing reports it.
                }
            }
        }
        return tree;
    }

    private static String slashed(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    private TreeIndex openIndex() throws IOException {
        try {
            return TreeIndex.open(state.index(), TreeParams.DEFAULT);
        } catch (IndexDamagedException e) {
            return replaceDamaged(e);
        }
    }

    /** Moves a damaged index aside (kept for inspection, never deleted) and starts an empty one. */
    private TreeIndex replaceDamaged(IndexDamagedException damage) throws IOException {
        String stamp = STAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC));
        Path aside = state.path().resolve("index.damaged-" + stamp);
        for (int n = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = state.path().resolve("index.damaged-" + stamp + "-" + n);
        }
        Files.move(state.index(), aside);
        String reason = damage.getMessage().replaceAll("[.\\s]+$", "");
        String notice = reason + "; moved it to " + aside + " and rebuilt the index with a full scan.";
        LOG.debug(notice);
        notices.add(notice);
        return TreeIndex.open(state.index(), TreeParams.DEFAULT);
    }

    private long wallClockNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
