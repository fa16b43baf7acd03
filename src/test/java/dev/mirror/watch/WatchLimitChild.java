package dev.mirror.watch;

import dev.mirror.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by {@link WatchLimitTest} in a child JVM whose inotify watch limit is lower than the folder's directory count:
 * watches the folder, waits for three periodic whole-folder scans, creates more directories, waits for three more,
 * and prints what it saw as {@code key=value} lines.
 */
final class WatchLimitChild {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private WatchLimitChild() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        AtomicInteger wholeScans = new AtomicInteger();
        WatchSettings settings = new WatchSettings(Duration.ofMillis(10), Duration.ofMillis(50),
                Duration.ofMillis(100));
        SystemScheduler scheduler = new SystemScheduler();
        try (FolderWatcher watcher = FolderWatcher.start(folder, dir -> true, settings, scheduler, scheduler,
                Runnable::run, changes -> {
                    if (changes.subtrees().contains(folder)) {
                        wholeScans.incrementAndGet();
                    }
                })) {
            Await.until(WAIT, () -> wholeScans.get() >= 3, "three periodic scans");
            int attempts = watcher.registrationAttempts();
            for (int i = 0; i < 20; i++) {
                Files.createDirectories(folder.resolve("later" + i + "/below"));
            }
            Await.until(WAIT, () -> wholeScans.get() >= 6, "three more periodic scans");
            System.out.println("watching=" + watcher.isWatching());
            System.out.println("attempts=" + attempts);
            System.out.println("attemptsLater=" + watcher.registrationAttempts());
        }
    }
}
