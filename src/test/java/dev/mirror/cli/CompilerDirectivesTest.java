package dev.mirror.cli;

import dev.mirror.scan.Chunker;
import dev.mirror.scan.ChunkerParams;
import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/mirror} starts every JVM with {@code bin/compiler-directives.json}, and a JVM whose directives file does
 * not parse refuses to start. So the file is checked here, in child JVMs given it as {@code bin/mirror} gives it: that
 * it parses, that the JVM then prints nothing of its own on standard output, and that it does what it is for: the
 * SHA-256 and chunking loops reach C2, other hot code stays with C1.
 */
class CompilerDirectivesTest {
    private static final Path DIRECTIVES = Path.of("bin", "compiler-directives.json").toAbsolutePath();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** A line of -XX:+PrintCompilation: time, compile id, five flag columns, tier, then Class::method. */
    private static final Pattern COMPILED = Pattern.compile("^\\s*\\d+\\s+\\d+\\s[ %sbn!]{5}\\s+(\\d)\\s+(\\S+)");

    @Test
    void aPeerJvmStartsWithThemAndPrintsNothingOfItsOwn() throws Exception {
        Cli.Result run = child(List.of("-XX:-DisplayVMOutput"), "quiet");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("ok\n", run.out(), "only the program's own output: " + run);
    }

    @Test
    void onlyTheHashingLoopsAreCompiledByC2() throws Exception {
        // -Xbatch: each compilation finishes before the code goes on, so a busy machine cannot end the child before
        // the compilations this looks for have started.
        Cli.Result run = child(List.of("-XX:+PrintCompilation", "-Xbatch"), "work");
        assertEquals(0, run.exitCode(), run.toString());

        List<String> byC2 = new ArrayList<>();
        List<String> byC1 = new ArrayList<>();
        for (String line : run.outLines()) {
            Matcher compiled = COMPILED.matcher(line);
            if (compiled.find()) {
                (compiled.group(1).equals("4") ? byC2 : byC1).add(compiled.group(2));
            }
        }
        assertTrue(byC2.stream().anyMatch(method -> method.startsWith("sun.security.provider.")), "SHA-256: " + byC2);
        assertTrue(byC2.contains("dev.mirror.scan.Chunker::cut"), "chunking: " + byC2);
        assertTrue(byC2.stream().allMatch(method -> method.startsWith("sun.security.provider.")
                || method.startsWith("dev.mirror.scan.Chunker::")), "nothing else: " + byC2);
        assertTrue(byC1.contains(Child.class.getName() + "::spin"), "the child's own hot loop, by C1: " + byC1);
        assertFalse(byC2.contains(Child.class.getName() + "::spin"));
    }

    private static Cli.Result child(List<String> options, String mode) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:CompilerDirectivesFile=" + DIRECTIVES));
        jvm.addAll(options);
        return Processes.run(Processes.java(jvm, Child.class.getName(), mode), TIMEOUT);
    }

    /** The child JVM: hashes, chunks and spins long enough for each to be compiled at its final tier. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("work")) {
                byte[] data = new byte[8 << 20];
                new Random(1).nextBytes(data);
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                Chunker chunker = new Chunker(ChunkerParams.DEFAULT);
                long sum = 0;
                for (int round = 0; round < 16; round++) {
                    sha256.update(data);
                    for (int from = 0; from < data.length; ) {
                        from += chunker.nextCut(data, from, data.length, true);
                    }
                    for (int i = 0; i < 20_000; i++) {
                        sum += spin(i);
                    }
                }
                System.out.println(sha256.digest()[0] + sum);
            }
            System.out.println("ok");
        }

        /** Plain hot code of no special kind: C2 would take it by default. */
        static long spin(int seed) {
            long x = seed;
            for (int i = 0; i < 100; i++) {
                x = x * 31 + i;
            }
            return x;
        }
    }
}
