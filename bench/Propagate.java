/*
 * Makes one change in a source folder and times how long it takes to show up in the destination, for
 * bench/live.sh. It is started once and takes commands on standard input, one a line, so no JVM start is ever
 * inside a time, and it both makes the change and watches for it, so the two ends of a time come from one clock.
 * It knows nothing of the tool that syncs: it only looks at the destination's files, the way a user would.
 * No dependencies: compile it with javac or run it with the JDK's single-file launcher.
 *
 *   java bench/Propagate.java [--interval-ms 2] [--timeout-s 120]
 *
 * Commands (fields separated by one tab, paths absolute):
 *   write SRC DST TEXT            write TEXT and a newline to SRC (create or truncate, one write, close), then poll
 *                                 DST until it holds exactly those bytes
 *   delete SRC_ROOT DST_ROOT LIST  delete every path listed in the file LIST (one relative path a line) under
 *                                 SRC_ROOT, then poll until none of them exists under DST_ROOT
 *   move SRC_FROM SRC_TO DST_FROM DST_TO
 *                                 rename SRC_FROM to SRC_TO (rename(2)), then poll until DST_TO exists with SRC_TO's
 *                                 size and DST_FROM does not
 *   quit
 * Answer, one line a command:
 *   ok MICROS START_EPOCH_MICROS SEEN_EPOCH_MICROS POLLS ACTION_MICROS
 * MICROS is from just before the change until the poll that saw it done (monotonic clock); the two EPOCH_MICROS are
 * the same moments on the wall clock (CLOCK_REALTIME, as bash's EPOCHREALTIME); ACTION_MICROS is how long making
 * the change itself took (deleting many files is not instant). Or "timeout MICROS POLLS" after --timeout-s, or
 * "error MESSAGE" when the change could not be made. A poll that finds a file half-read or missing just counts as
 * "not there yet": the tools write a temporary file and rename it, so a reader sees the old or the new content.
 * "ready" is printed once at start, after one poll of each kind has run (classes loaded and linked).
 */

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

public final class Propagate {
    private final long intervalNanos;
    private final long timeoutNanos;

    private Propagate(long intervalMs, long timeoutS) {
        this.intervalNanos = intervalMs * 1_000_000L;
        this.timeoutNanos = timeoutS * 1_000_000_000L;
    }

    public static void main(String[] args) throws IOException {
        long intervalMs = 2;
        long timeoutS = 120;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--interval-ms" -> intervalMs = number(args[i], args[i + 1]);
                case "--timeout-s" -> timeoutS = number(args[i], args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        new Propagate(intervalMs, timeoutS).run();
    }

    private void run() throws IOException {
        warmUp();
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            String answer;
            try {
                answer = switch (f[0]) {
                    case "write" -> f.length == 4 ? write(Paths.get(f[1]), Paths.get(f[2]), f[3]) : bad(line);
                    case "delete" -> f.length == 4 ? delete(Paths.get(f[1]), Paths.get(f[2]), Paths.get(f[3]))
                            : bad(line);
                    case "move" -> f.length == 5
                            ? move(Paths.get(f[1]), Paths.get(f[2]), Paths.get(f[3]), Paths.get(f[4])) : bad(line);
                    case "quit" -> null;
                    default -> bad(line);
                };
            } catch (IOException | RuntimeException e) {
                answer = "error " + e.toString().replace('\n', ' ');
            }
            if (answer == null) {
                return;
            }
            System.out.println(answer);
            System.out.flush();
        }
    }

    /**
     * Each action and each kind of poll a few times (a temporary file is written, renamed and deleted; the polls look
     * at paths that do not exist), so that the first timed change is not slowed down by class loading.
     */
    private void warmUp() throws IOException {
        for (int i = 0; i < 20; i++) {
            Path file = Files.createTempFile("propagate-warm-up", ".tmp");
            Path moved = file.resolveSibling(file.getFileName() + ".moved");
            Files.write(file, new byte[1], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            Files.move(file, moved, StandardCopyOption.ATOMIC_MOVE);
            contentEquals(moved, new byte[1]);
            Files.delete(moved);
        }
        Path nowhere = Paths.get("/nonexistent-propagate-warm-up");
        for (int i = 0; i < 200; i++) {
            contentEquals(nowhere, new byte[1]);
            Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS);
            sizeOf(nowhere);
        }
        Instant.now();
    }

    private String write(Path src, Path dst, String text) throws IOException {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        Instant startWall = Instant.now();
        Files.write(src, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        long action = System.nanoTime() - start;
        return await(start, startWall, action, () -> contentEquals(dst, bytes));
    }

    private String delete(Path srcRoot, Path dstRoot, Path list) throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : Files.readAllLines(list, StandardCharsets.UTF_8)) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        List<Path> remaining = new ArrayList<>(names.size());
        for (String name : names) {
            remaining.add(dstRoot.resolve(name));
        }
        long start = System.nanoTime();
        Instant startWall = Instant.now();
        for (String name : names) {
            Files.delete(srcRoot.resolve(name));
        }
        long action = System.nanoTime() - start;
        // Files once gone stay gone here: each poll only looks at the ones still there.
        return await(start, startWall, action, () -> {
            remaining.removeIf(path -> !Files.exists(path, LinkOption.NOFOLLOW_LINKS));
            return remaining.isEmpty();
        });
    }

    private String move(Path srcFrom, Path srcTo, Path dstFrom, Path dstTo) throws IOException {
        long size = Files.size(srcFrom);
        long start = System.nanoTime();
        Instant startWall = Instant.now();
        Files.move(srcFrom, srcTo, StandardCopyOption.ATOMIC_MOVE);
        long action = System.nanoTime() - start;
        return await(start, startWall, action,
                () -> sizeOf(dstTo) == size && !Files.exists(dstFrom, LinkOption.NOFOLLOW_LINKS));
    }

    private String await(long start, Instant startWall, long actionNanos, BooleanSupplier done) {
        long polls = 0;
        while (true) {
            long pollStart = System.nanoTime();
            boolean seen = done.getAsBoolean();
            polls++;
            if (seen) {
                long end = System.nanoTime();
                Instant endWall = Instant.now();
                return String.format("ok %d %d %d %d %d", (end - start) / 1_000, micros(startWall), micros(endWall),
                        polls, actionNanos / 1_000);
            }
            if (pollStart - start > timeoutNanos) {
                return String.format("timeout %d %d", (pollStart - start) / 1_000, polls);
            }
            long sleep = intervalNanos - (System.nanoTime() - pollStart);
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    private static boolean contentEquals(Path file, byte[] expected) {
        try {
            // A size check first: most polls find the old content or nothing, and need not read.
            return Files.size(file) == expected.length && Arrays.equals(Files.readAllBytes(file), expected);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false; // replaced or removed between the two calls: look again at the next poll
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static String bad(String line) {
        return "error bad command: " + line.replace('\t', ' ');
    }

    private static long number(String option, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        usage(option + " needs a positive integer, got '" + value + "'");
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("Propagate: " + problem + ".\nUsage: java bench/Propagate.java [--interval-ms 2]"
                + " [--timeout-s 120], then commands on standard input (see the comment at the top)");
        System.exit(2);
    }
}
