package dev.mirror.watch;

import dev.mirror.core.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
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

/**
 * Watches every directory of a folder with inotify ({@link Inotify}, one watch per directory) and reports, through a
 * {@link Debouncer}, which directories changed. New directories are watched as they appear and reported whole (files
 * may land in them before the watch does); when the kernel's queue overflowed and events were lost, the whole folder
 * is reported and every directory watched again.
 *
 * <p>When the system's inotify limit is reached (or inotify cannot be used at all), it says so once, stops watching
 * for good (no retry loop: the limit stays reached until someone raises it) and reports the whole folder every
 * {@code fallbackInterval} instead, so the folder is scanned periodically.
 *
 * <p>Thread-safe to start and close. Events are read on one thread, {@code mirror-watch}, which alone owns the maps of
 * watches once started.
 */
public final class FolderWatcher implements AutoCloseable {
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
    /** Watched directories by watch descriptor, and the descriptors by path (a directory's subdirectories follow it). */
    private final Map<Integer, Path> watched = new HashMap<>();
    private final NavigableMap<String, Integer> watches = new TreeMap<>();
    /** What the events read so far in this batch changed; handed to the debouncer once per batch. */
    private final Set<Path> changedDirectories = new HashSet<>();
    private final Set<Path> changedSubtrees = new HashSet<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private volatile Inotify inotify;
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

    /** How many times a directory was registered with inotify, for tests: a retry loop would show here. */
    int registrationAttempts() {
        return registrations.get();
    }

    /** Stops watching and scanning; safe to call twice. */
    @Override
    public void close() {
        closed = true;
        watching = false;
        Inotify open = inotify;
        if (open != null) {
            open.wake();
        }
        eventThread.shutdown();
        try {
            eventThread.awaitTermination(10, TimeUnit.SECONDS);
            if (open != null) {
                open.close(); // after the reader stopped: it may be waiting on the descriptor
            }
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
            inotify = Inotify.open();
        } catch (Inotify.InotifyException e) {
            fallBack(e.errno == Inotify.EMFILE ? limitWarning("instances", MAX_INSTANCES, 1024)
                    : "Cannot watch " + root + " for changes (" + e.getMessage() + "); " + fallbackSentence());
            return;
        }
        watching = true;
        registerTree(root);
        if (watching) {
            eventThread.execute(this::readEvents);
        } else {
            inotify.close(); // fell back already: nobody reads it
        }
    }

    private void readEvents() {
        try {
            while (!closed && inotify.read(this::handle)) {
                debouncer.add(new ChangeSet(changedDirectories, changedSubtrees));
                changedDirectories.clear();
                changedSubtrees.clear();
                // Let the events of the next moments gather before reading them: a stream of changes (a pull round
                // installing thousands of files a second) then costs one wake-up and one read per pause instead of
                // one per event. The debouncer waits longer than this anyway.
                Thread.sleep(GATHER_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("Watching {} failed", root, e);
                fallBack("Watching " + root + " for changes failed (" + e + "); " + fallbackSentence());
            }
        } finally {
            // Closed, or fell back to scanning: the watches go now (they count against the user's limit).
            inotify.close();
        }
    }

    /** One event: its name is a child of the watched directory {@code wd}. */
    private void handle(int wd, int mask, String name) {
        if ((mask & Inotify.IN_Q_OVERFLOW) != 0) {
            // The kernel's queue was full and events were lost, maybe the creation of directories not watched yet.
            changedSubtrees.add(root);
            registerTree(root);
            return;
        }
        Path dir = watched.get(wd);
        if (dir == null) {
            return; // a watch removed meanwhile
        }
        if ((mask & Inotify.IN_IGNORED) != 0) {
            // The watch is gone (its directory deleted, or unwatched); the parent's events cover the name.
            watched.remove(wd);
            watches.remove(dir.toString(), wd);
            return;
        }
        if (name == null) {
            return; // the directory itself: its parent's watch reports it by name
        }
        Path child = dir.resolve(name);
        changedDirectories.add(dir);
        if ((mask & Inotify.IN_ISDIR) == 0) {
            return;
        }
        if ((mask & (Inotify.IN_DELETE | Inotify.IN_MOVED_FROM)) != 0) {
            // Deleted, or moved away (maybe out of the folder, where its watches must not follow it).
            unwatchBelow(child);
        } else if ((mask & (Inotify.IN_CREATE | Inotify.IN_MOVED_TO)) != 0 && watchable.test(child)) {
            registerTree(child);
            changedSubtrees.add(child);
        }
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
        if (!watching) {
            return false;
        }
        registrations.incrementAndGet();
        int wd;
        try {
            wd = inotify.watch(dir);
        } catch (Inotify.InotifyException e) {
            if (e.errno == Inotify.ENOSPC) {
                fallBack(limitWarning("watches", MAX_WATCHES, 524288));
                return false;
            }
            // Gone meanwhile, or unreadable: its parent's events still name it, and scans report it.
            LOG.debug("Cannot watch {}: {}", dir, e.getMessage());
            return true;
        }
        // inotify watches inodes: a directory renamed while watched (its move's events lost) comes back with its
        // old name's descriptor, whose events must now name the new path.
        Path before = watched.put(wd, dir);
        if (before != null && !before.equals(dir)) {
            watches.remove(before.toString(), wd);
        }
        watches.put(dir.toString(), wd);
        return true;
    }

    /** Stops watching {@code path} and every directory below it. */
    private void unwatchBelow(Path path) {
        String name = path.toString();
        String below = name + path.getFileSystem().getSeparator();
        Integer self = watches.remove(name);
        if (self != null) {
            forget(self);
        }
        for (Iterator<Integer> it = watches.subMap(below, below + Character.MAX_VALUE).values().iterator();
             it.hasNext(); ) {
            forget(it.next());
            it.remove();
        }
    }

    private void forget(int wd) {
        watched.remove(wd);
        inotify.unwatch(wd);
    }

    /** Stops watching for good, says why once, and reports the whole folder periodically instead. */
    private synchronized void fallBack(String warning) {
        if (closed || fellBack) {
            return;
        }
        fellBack = true;
        watching = false;
        Inotify open = inotify;
        if (open != null) {
            open.wake(); // the reader stops, and closes the instance with its watches
        }
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

    private String limitWarning(String what, Path setting, int suggested) {
        String name = "fs.inotify." + setting.getFileName();
        String current;
        try {
            // By lines: Files.readString trusts the size a /proc file reports (0), and some kernels then give it
            // only the first byte.
            current = Files.readAllLines(setting).stream().findFirst().orElse("unknown").strip();
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
