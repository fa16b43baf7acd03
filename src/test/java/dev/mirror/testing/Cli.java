package dev.mirror.testing;

import dev.mirror.cli.MirrorCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * Runs the {@code mirror} command line in this JVM, as {@code bin/mirror} would, and captures what it prints.
 * Each run builds a fresh command line, so runs share no state and may run on any thread.
 */
public final class Cli {
    private Cli() {
    }

    /** Runs {@code mirror ARGS...}. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MirrorCommand.commandLine(args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** What one run printed, and its exit code; {@code toString} shows all three for assertion messages. */
    public record Result(int exitCode, String out, String err) {
        public List<String> outLines() {
            return out.lines().toList();
        }

        public List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err + "---";
        }
    }
}
