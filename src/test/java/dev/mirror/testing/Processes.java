package dev.mirror.testing;

import dev.mirror.core.NamedThreadFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the {@code mirror} command line in a child JVM, for what only a separate process shows: another process
 * holding the folder lock, output to pipes rather than a terminal, a kill -9.
 *
 * <p>The child runs on this JVM's own class path, so it runs exactly the classes the test compiled; {@code bin/mirror}
 * would run {@code target/mirror.jar}, which {@code mvn test} does not rebuild and may be stale. It gets JVM
 * options for a quick start (tests read little, so the first-tier compiler is enough) and the UTF-8 locale
 * {@code bin/mirror} sets. Stateless and thread-safe.
 */
public final class Processes {
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto");

    private Processes() {
    }

    /** A builder for {@code mirror ARGS...} in a child JVM; stdin, stdout and stderr are pipes unless redirected. */
    public static ProcessBuilder mirror(String... args) {
        return mirror(List.of(), args);
    }

    /** As {@link #mirror(String...)}, with {@code jvmOptions} after the usual ones (so they win where both set one). */
    public static ProcessBuilder mirror(List<String> jvmOptions, String... args) {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.addAll(jvmOptions);
        ProcessBuilder builder = java(options, "dev.mirror.cli.Main", args);
        builder.environment().put("LC_ALL", "C.UTF-8");
        return builder;
    }

    /** A builder for a child JVM with {@code jvmOptions} running {@code mainClass ARGS...} on this JVM's class path. */
    public static ProcessBuilder java(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * Runs {@code mirror ARGS...} to the end with stdout and stderr on pipes and stdin closed.
     *
     * @throws AssertionError if it is still running after {@code timeout} (it is killed first)
     */
    public static Cli.Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        return run(mirror(args), timeout);
    }

    /** Runs a child made by {@link #mirror}, perhaps given a working directory, as the other {@code run} does. */
    public static Cli.Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Process process = builder.start();
        process.getOutputStream().close();
        // Both pipes are drained at once: a child blocked on a full stderr pipe would never close stdout.
        ExecutorService readers = Executors.newFixedThreadPool(2, new NamedThreadFactory("child-output"));
        try {
            Future<String> out = readers.submit(() -> readAll(process.getInputStream()));
            Future<String> err = readers.submit(() -> readAll(process.getErrorStream()));
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor();
            }
            Cli.Result result = new Cli.Result(exited ? process.exitValue() : -1, get(out), get(err));
            if (!exited) {
                throw new AssertionError(String.join(" ", builder.command()) + "\nstill ran after "
                        + timeout.toMillis() + " ms; killed it\n" + result);
            }
            return result;
        } finally {
            readers.shutdownNow();
        }
    }

    /** Kills {@code process} with SIGKILL, as {@code kill -9} does, and waits until it is gone. */
    public static void kill(Process process, Duration timeout) throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("pid " + process.pid() + " survived SIGKILL for " + timeout.toMillis() + " ms");
        }
    }

    private static String readAll(InputStream stream) throws IOException {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The output of a process that has exited: its pipes are at end of file, so this returns at once. */
    private static String get(Future<String> output) throws InterruptedException {
        try {
            return output.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("cannot read the child's output", e.getCause());
        } catch (TimeoutException e) {
            // A grandchild holding the pipe open would do this; mirror starts none.
            throw new AssertionError("the child exited but its output did not end", e);
        }
    }
}
