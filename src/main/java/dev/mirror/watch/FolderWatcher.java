package dev.mirror.watch;

import dev.mirror.core.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

/**
 * Watches every directory of a folder with the JDK's watch service (inotify on Linux, one watch per directory) and
 * reports, through a {@link Debouncer}, which directories changed. New directories are watched as they appear and
 * reported whole (files may land in them before the watch does); lost events (OVERFLOW, which the JDK signals after
 * about 512 unread events in one directory) report the directory's whole subtree.
 *
 * <p>When the system's inotify limit is reached, it says so once, stops watching for good (no retry loop: the limit
 * stays reached until someone raises it) and reports the whole folder every {@code fallbackInterval} instead, so the
 * folder is scanned periodically.
 *
 * <p>Thread-safe to start and close. Events are read on one thread, {@code mirror-watch}, which alone owns the map of
 * watch keys once started.
 */
public final class FolderWatcher implements AutoCloseable {
    /** The JDK's message when inotify_add_watch fails with ENOSPC (sun.nio.fs.LinuxWatchService). */
    static final String WATCH_LIMIT_MESSAGE = "User limit of inotify watches reached";
    /** The JDK's message when inotify_init fails with EMFILE. */
    static final String INSTANCE_LIMIT_MESSAGE = "User limit of inotify instances reached";
    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);
    private static final Path MAX_WATCHES = Path.of("/proc/sys/fs/inotify/max_user_watches");
    private static final Path MAX_INSTANCES = Path.of("/proc/sys/fs/inotify/max_user_instances");
    /** How long events gather between two reads (see {@link #readEvents}). */
    private static final long GATHER_MILLIS = 5;

    private final Path root;
    private final Predicate<Path> watchable;
    private final WatchSettings settings;
    private final Scheduler scheduler;
    private final AutoCloseable ownedScheduler;
    private final Debouncer debouncer;
    private final ExecutorService eventThread =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("mirror-watch"));
    /** Watch keys by directory path; a directory's subdirectories follow it in this order (prefix ranges). */
    private final NavigableMap<String, WatchKey> keys = new TreeMap<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private volatile WatchService service;
    private volatile boolean watching;
    private volatile boolean closed;
    /** Set once, under the lock, when watching stops for good. */
    private boolean fellBack;

    private FolderWatcher(Path root, Predicate<Path> watchable, WatchSettings settings, Scheduler scheduler,
                          AutoCloseable ownedScheduler, Executor delivery, Consumer<ChangeSet> changes) {
        this.root = root;
        this.watchable = watchable;
        this.settings = settings;
        this.scheduler = scheduler;
        this.ownedScheduler = ownedScheduler;
        this.debouncer = new Debouncer(scheduler, settings.quiet(), settings.maxDelay(), delivery, changes);
    }

    /**
     * Watches {@code root} and every directory below it that {@code watchable} accepts (registered before this
     * returns), and hands batches of changes to {@code changes} on {@code delivery}. Never fails: when watching is
     * impossible, it scans periodically instead ({@link #isWatching()} says which).
     */
    public static FolderWatcher start(Path root, Predicate<Path> watchable, WatchSettings settings,
                                      Executor delivery, Consumer<ChangeSet> changes) {
        SystemScheduler scheduler = new SystemScheduler();
        return start(root, watchable, settings, scheduler, scheduler, delivery, changes);
    }

    /** As {@link #start(Path, Predicate, WatchSettings, Executor, Consumer)}, on a given scheduler (for tests). */
    static FolderWatcher start(Path root, Predicate<Path> watchable, WatchSettings settings, Scheduler scheduler,
                               AutoCloseable ownedScheduler, Executor delivery, Consumer<ChangeSet> changes) {
        FolderWatcher watcher = new FolderWatcher(root.toAbsolutePath(), watchable, settings, scheduler,
                ownedScheduler, delivery, changes);
        watcher.begin();
        return watcher;
    }

    /** False once watching fell back to periodic scans, or after close. */
    public boolean isWatching() {
        return watching;
    }

    /** How many times a directory was registered with the watch service, for tests: a retry loop would show here. */
    int registrationAttempts() {
        return registrations.get();
    }

    /** Stops watching and scanning; safe to call twice. */
    @Override
    public void close() {
        closed = true;
        watching = false;
        closeService();
        eventThread.shutdownNow();
        try {
            eventThread.awaitTermination(10, TimeUnit.SECONDS);
            if (ownedScheduler != null) {
                ownedScheduler.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Closing the watcher's timer: {}", e.getMessage());
        }
    }

    private void begin() {
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            fallBack(e.getMessage() != null && e.getMessage().startsWith(INSTANCE_LIMIT_MESSAGE)
                    ? limitWarning("instances", MAX_INSTANCES, 1024)
                    : "Cannot watch " + root + " for changes (" + e.getMessage() + "); " + fallbackSentence());
            return;
        }
        watching = true;
        registerTree(root);
        if (watching) {
            eventThread.execute(this::readEvents);
        }
    }

    private void readEvents() {
        try {
            while (!closed) {
                handle(service.take());
                // Let the events of the next moments gather before reading them: a stream of changes (a pull round
                // installing thousands of files a second) then costs this thread and the JDK's poller one hand-over
                // per pause instead of one per event, about half the CPU the watcher cost a first mirror. What
                // gathered is read at once, keys in the order they were signalled; the debouncer waits longer
                // than this anyway.
                Thread.sleep(GATHER_MILLIS);
                for (WatchKey key = service.poll(); key != null && !closed; key = service.poll()) {
                    handle(key);
                }
            }
        } catch (ClosedWatchServiceException e) {
            // Closed, or fell back to scanning.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Watching {} failed", root, e);
            fallBack("Watching " + root + " for changes failed (" + e + "); " + fallbackSentence());
        }
    }

    /** Turns one key's events into a change set: each event names a child of the key's directory. */
    private void handle(WatchKey key) {
        Path dir = (Path) key.watchable();
        Set<Path> directories = new HashSet<>();
        Set<Path> subtrees = new HashSet<>();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                // Events here were lost, maybe the creation of subdirectories that are not watched yet.
                subtrees.add(dir);
                registerTree(dir);
                continue;
            }
            Path child = dir.resolve((Path) event.context());
            directories.add(dir);
            if (event.kind() == ENTRY_DELETE) {
                // Deleted, or moved away (maybe out of the folder, where its watches must not follow it).
                unwatchBelow(child);
            } else if (event.kind() == ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)
                    && watchable.test(child)) {
                registerTree(child);
                subtrees.add(child);
            }
        }
        if (!key.reset()) {
            // The directory is gone (or no longer watched); its parent's events cover its name.
            keys.remove(dir.toString(), key);
        }
        debouncer.add(new ChangeSet(directories, subtrees));
    }

    /** Watches {@code top} and every watchable directory below it that is not watched yet. */
    private void registerTree(Path top) {
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (!watchable.test(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return register(dir) ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debug("Cannot watch below {}: {}", top, e.getMessage());
        }
    }

    /** Watches one directory; false if watching has stopped (the limit is reached, or closed). */
    private boolean register(Path dir) {
        WatchKey known = keys.get(dir.toString());
        if (known != null && known.isValid()) {
            return true;
        }
        try {
            WatchKey key = watch(dir);
            if (!key.watchable().equals(dir)) {
                // inotify watches inodes: a directory renamed while watched comes back with its old name's key, whose
                // events would name the old path. Watch it afresh under its new name.
                keys.remove(key.watchable().toString(), key);
                key.cancel();
                key = watch(dir);
            }
            keys.put(dir.toString(), key);
            return true;
        } catch (ClosedWatchServiceException e) {
            return false;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(WATCH_LIMIT_MESSAGE)) {
                fallBack(limitWarning("watches", MAX_WATCHES, 524288));
                return false;
            }
            // Gone meanwhile, or unreadable: its parent's events still name it, and scans report it.
            LOG.debug("Cannot watch {}: {}", dir, e.getMessage());
            return true;
        }
    }

    private WatchKey watch(Path dir) throws IOException {
        registrations.incrementAndGet();
        return dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
    }

    /** Stops watching {@code path} and every directory below it. */
    private void unwatchBelow(Path path) {
        String name = path.toString();
        String below = name + path.getFileSystem().getSeparator();
        WatchKey self = keys.remove(name);
        if (self != null) {
            self.cancel();
        }
        for (Iterator<WatchKey> it = keys.subMap(below, below + Character.MAX_VALUE).values().iterator();
             it.hasNext(); ) {
            it.next().cancel();
            it.remove();
        }
    }

    /** Stops watching for good, says why once, and reports the whole folder periodically instead. */
    private synchronized void fallBack(String warning) {
        if (closed || fellBack) {
            return;
        }
        fellBack = true;
        watching = false;
        closeService();
        LOG.warn(warning);
        scheduler.schedule(this::periodicScan, settings.fallbackInterval().toNanos());
    }

    private void periodicScan() {
        if (closed) {
            return;
        }
        debouncer.add(ChangeSet.whole(root));
        scheduler.schedule(this::periodicScan, settings.fallbackInterval().toNanos());
    }

    private void closeService() {
        WatchService open = service;
        if (open == null) {
            return;
        }
        try {
            open.close();
        } catch (IOException e) {
            LOG.debug("Closing the watch service: {}", e.getMessage());
        }
    }

    private String limitWarning(String what, Path setting, int suggested) {
        String name = "fs.inotify." + setting.getFileName();
        String current;
        try {
            current = Files.readString(setting).strip();
        } catch (IOException e) {
            current = "unknown";
        }
        return "Cannot watch " + root + " for changes: the system's limit of inotify " + what + " is reached ("
                + name + " = " + current + ", in " + setting + "); " + fallbackSentence() + " To watch again, raise "
                + "it, for example with 'sudo sysctl " + name + "=" + suggested + "' (add that line to a file in "
                + "/etc/sysctl.d/ to keep it), then restart mirror.";
    }

    private String fallbackSentence() {
        long millis = settings.fallbackInterval().toMillis();
        String every = millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
        return "scanning the whole folder every " + every + " instead, so changes take longer to reach other peers.";
    }
}
