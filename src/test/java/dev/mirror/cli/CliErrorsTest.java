package dev.mirror.cli;

import dev.mirror.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exit codes (0 success, 1 runtime failure, 2 usage error), the one sentence on stderr for each failure, help, and
 * stack traces only with --verbose.
 */
@Timeout(30)
class CliErrorsTest {
    private static final String STACK_FRAME = "\tat ";

    @TempDir
    Path parent;

    @ParameterizedTest(name = "mirror {0}")
    @ValueSource(strings = {"scan", "id"})
    void missingFolderExitsOneWithOneSentence(String command) {
        Path missing = parent.resolve("missing");

        Cli.Result run = Cli.run(command, missing.toString());

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("mirror: No such folder: " + missing + ".\n", run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(missing), "a missing folder must not be created");
    }

    @Test
    void missingFolderGivenRelativeIsNamedByItsAbsolutePath() {
        String relative = "no-such-folder-for-CliErrorsTest";

        Cli.Result run = Cli.run("scan", relative);

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("mirror: No such folder: " + Path.of(relative).toAbsolutePath() + ".\n", run.err());
    }

    @ParameterizedTest(name = "mirror {0}")
    @ValueSource(strings = {"scan", "id"})
    void regularFileGivenAsFolderExitsOneWithOneSentence(String command) throws IOException {
        Path file = Files.writeString(parent.resolve("notes.txt"), "not a folder");

        Cli.Result run = Cli.run(command, file.toString());

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("mirror: " + file + " is not a folder.\n", run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(parent.resolve(".mirror")), "nothing is created beside the file");
    }

    static Stream<UsageCase> usageErrors() {
        return Stream.of(
                new UsageCase("no subcommand", List.of(), "command"),
                new UsageCase("an unknown option before the subcommand", List.of("--bogus"), "--bogus"),
                new UsageCase("an unknown option of scan", List.of("scan", "--bogus", "."), "--bogus"),
                new UsageCase("an unknown subcommand", List.of("frobnicate"), "frobnicate"),
                new UsageCase("two folders given to scan", List.of("scan", "one", "two"), "two"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void usageErrorExitsTwoAndNamesTheProblem(UsageCase usage) {
        Cli.Result run = Cli.run(usage.args().toArray(String[]::new));

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.errLines().get(0).contains(usage.named()), run::toString);
        assertFalse(run.err().contains(STACK_FRAME), run::toString);
        assertEquals("", run.out());
    }

    @ParameterizedTest(name = "mirror {0}")
    @ValueSource(strings = {"--help", "scan --help", "id --help", "help scan"})
    void helpExitsZeroAndShowsAnExample(String args) {
        Cli.Result run = Cli.run(args.split(" "));

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("Usage: mirror"), run::toString);
        assertTrue(run.out().contains("Example"), () -> "no Example section:\n" + run);
        assertEquals("", run.err());
    }

    /** Only the command that runs is built (MirrorCommand.commandLine); the help still lists all, in this order. */
    @Test
    void helpListsEveryCommandInOrder() {
        Cli.Result run = Cli.run("--help");

        List<String> listed = run.outLines().stream()
                .dropWhile(line -> !line.equals("Commands:")).skip(1)
                .takeWhile(line -> line.startsWith("  "))
                .filter(line -> !line.startsWith("   "))
                .map(line -> line.trim().split(" ")[0])
                .toList();
        assertEquals(List.of("serve", "join", "invite", "status", "versions", "restore", "scan", "id", "help"), listed,
                run::toString);
    }

    @Test
    void versionExitsZeroAndPrintsOneLine() {
        Cli.Result run = Cli.run("--version");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().matches("mirror \\S.*\n"), run::toString);
    }

    @ParameterizedTest(name = "mirror {0} MISSING")
    @ValueSource(strings = {"--verbose scan", "-v scan", "scan --verbose", "id -v"})
    void verboseAddsTheStackTraceAfterTheSentence(String args) {
        Path missing = parent.resolve("missing");
        List<String> command = new ArrayList<>(List.of(args.split(" ")));
        command.add(missing.toString());

        Cli.Result run = Cli.run(command.toArray(String[]::new));

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("mirror: No such folder: " + missing + ".", run.errLines().get(0));
        assertTrue(run.err().contains(STACK_FRAME + "dev.mirror."), () -> "no stack trace:\n" + run);
    }

    /** A command line mirror cannot parse, and the word the first line of stderr must name. */
    record UsageCase(String description, List<String> args, String named) {
        @Override
        public String toString() {
            return description;
        }
    }
}
