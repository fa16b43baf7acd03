package dev.mirror.cli;

import dev.mirror.core.Hash;
import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/mirror}, the launcher, run from a copy of the repository's {@code bin/} whose path has a space in it, with
 * a stand-in {@code target/mirror.jar} that prints the JVM options and arguments it got ({@code mvn test} runs before
 * the real jar is built). Every option that names a file must reach the JVM as one argument.
 */
class LauncherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void runsFromAPathWithSpacesAndPassesArgumentsThrough() throws Exception {
        Path home = install(temp.resolve("my apps").resolve("mirror"));

        Cli.Result run = launch(home, "status", "a folder");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.outLines().contains("jvm:-XX:CompilerDirectivesFile=" + home.resolve("bin")
                .resolve("compiler-directives.json")), run.out());
        assertTrue(run.outLines().contains("jvm:-Djava.library.path=" + home.resolve("target").resolve("native")),
                run.out());
        assertEquals(List.of("arg:status", "arg:a folder"),
                run.outLines().stream().filter(line -> line.startsWith("arg:")).toList());
    }

    @Test
    void runsWithoutC2ExactlyWhereSha256ComesFromLibcrypto() throws Exception {
        Path home = install(temp.resolve("mirror"));

        Cli.Result run = launch(home, "status");

        // The launcher looks for the library in the linker's cache, the JVM loads it: both must see the same.
        assertEquals(Hash.isNative(), run.outLines().contains("jvm:-XX:TieredStopAtLevel=1"), run.out());
    }

    @Test
    void aPeerCommandListsItsClassesForTheArchiveUnderAPathWithSpaces() throws Exception {
        Path home = install(temp.resolve("my apps").resolve("mirror"));

        Cli.Result run = launch(home, "serve", "a folder");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.outLines().stream().anyMatch(line -> line.startsWith("jvm:-XX:DumpLoadedClassList="
                + home.resolve("target").resolve("mirror.jsa."))), run.out());
        // The stand-in never links with a peer, so no archive is recorded, and the class list is cleaned up.
        try (var left = Files.list(home.resolve("target"))) {
            assertEquals(List.of("mirror.jar"), left.map(path -> path.getFileName().toString()).toList());
        }
    }

    private static Cli.Result launch(Path home, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin").resolve("mirror").toString()));
        command.addAll(List.of(args));
        return Processes.run(new ProcessBuilder(command), TIMEOUT);
    }

    /** The repository's launcher and directives under {@code home/bin}, the stand-in jar under {@code home/target}. */
    private static Path install(Path home) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("target"));
        for (String name : List.of("mirror", "compiler-directives.json")) {
            Path copy = Files.copy(Path.of("bin", name), home.resolve("bin").resolve(name));
            copy.toFile().setExecutable(name.equals("mirror"));
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Echo.class.getName());
        String entry = Echo.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(home.resolve("target").resolve("mirror.jar"));
             JarOutputStream jar = new JarOutputStream(file, manifest);
             InputStream bytes = Echo.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            bytes.transferTo(jar);
            jar.closeEntry();
        }
        return home;
    }

    /** The stand-in jar's main class: prints every JVM option and every argument, one a line. */
    public static final class Echo {
        public static void main(String[] args) {
            ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(option -> System.out.println("jvm:"
                    + option));
            for (String arg : args) {
                System.out.println("arg:" + arg);
            }
        }
    }
}
