package dev.mirror.watch;

import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The inotify watch limit, lowered for one child JVM inside a user namespace ({@code unshare -U -r}, then
 * {@code /proc/sys/user/max_inotify_watches}): one warning naming the limit, periodic scans instead, no retries.
 * Skipped where unshare cannot do that.
 */
@Timeout(120)
class WatchLimitTest {
    private static final int LIMIT = 10;
    private static final String LOWER_THE_LIMIT = "echo " + LIMIT + " > /proc/sys/user/max_inotify_watches";

    @TempDir
    Path folder;

    @Test
    void reachingTheLimitWarnsOnceAndScansPeriodicallyWithoutRetrying() throws Exception {
        assumeTrue(canLowerTheLimit(), "unshare -U -r cannot lower the inotify limit here");
        for (int i = 0; i < 3 * LIMIT; i++) {
            Files.createDirectories(folder.resolve("d" + i));
        }
        List<String> command = new ArrayList<>(List.of("unshare", "-U", "-r", "sh", "-c",
                LOWER_THE_LIMIT + " && exec \"$@\"", "sh"));
        List<String> java = Processes.mirror().command();
        // The child JVM as for mirror, but running WatchLimitChild instead of the command line.
        command.addAll(java.subList(0, java.size() - 1));
        command.add(WatchLimitChild.class.getName());
        command.add(folder.toString());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C.UTF-8");

        Cli.Result result = Processes.run(builder, Duration.ofSeconds(60));

        assertEquals(0, result.exitCode(), result.toString());
        List<String> warnings = result.errLines().stream().filter(line -> line.contains("WARN")).toList();
        assertEquals(1, warnings.size(), "exactly one warning: " + result.err());
        String warning = warnings.get(0);
        assertTrue(warning.contains("fs.inotify.max_user_watches") && warning.contains("/proc/sys/fs/inotify/"
                + "max_user_watches") && warning.contains("sysctl"), warning);
        String setting = Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_user_watches")).get(0).strip();
        assertTrue(warning.contains("fs.inotify.max_user_watches = " + setting + ","), "the setting's value: " + warning);
        Map<String, String> seen = result.outLines().stream().filter(line -> line.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        assertEquals("false", seen.get("watching"));
        int attempts = Integer.parseInt(seen.get("attempts"));
        assertTrue(attempts <= LIMIT + 1, "registered at most up to the limit, then stopped: " + attempts);
        assertEquals(seen.get("attempts"), seen.get("attemptsLater"), "no registration after falling back");
    }

    private static boolean canLowerTheLimit() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("unshare", "-U", "-r", "sh", "-c", LOWER_THE_LIMIT)
                    .redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
