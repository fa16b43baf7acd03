package dev.mirror.cli;

import dev.mirror.store.FolderException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/**
 * The {@code mirror} command: its subcommands, and the one place where failures become a sentence on standard
 * error and an exit code (1 runtime failure, 2 usage; no stack trace unless --verbose).
 */
@Command(name = "mirror", mixinStandardHelpOptions = true, versionProvider = MirrorCommand.Version.class,
        description = "Keeps one folder identical across your own machines, peer to peer.",
        subcommands = {ServeCommand.class, JoinCommand.class, InviteCommand.class, StatusCommand.class,
            VersionsCommand.class, RestoreCommand.class, ScanCommand.class, IdCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  mirror serve ~/Sync         # run the peer; prints 'mirror join HOST:PORT#TOKEN'",
            "  mirror join HOST:PORT#TOKEN ~/Sync   # on the other machine: pair, then keep mirroring",
            "  mirror status ~/Sync        # in sync with each peer, or what is left",
            "  mirror versions ~/Sync a.txt   # earlier versions of a.txt kept when it was replaced or deleted",
            "  mirror restore ~/Sync a.txt    # bring the newest back; it mirrors to every peer",
            "  mirror scan ~/Sync          # index the folder, print its root hash and totals",
            "  mirror id ~/Sync            # this peer's device ID", "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error, 3 peer not running."})
public final class MirrorCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log details, and print a stack trace with errors.")
    boolean verbose;

    /** A command line ready to execute, with mirror's error handling. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new MirrorCommand());
        commandLine.setExecutionExceptionHandler(MirrorCommand::handle);
        commandLine.setParameterExceptionHandler(MirrorCommand::handleUsage);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'mirror scan' or "
                + "'mirror --help'.");
    }

    private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        err.println("mirror: " + sentence(e));
        if (isVerbose(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.RUNTIME;
    }

    /** A usage error: one sentence, and where to find help, instead of the whole usage text. */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage();
        // A message ending in a question ("was it copied whole?") is a sentence already.
        err.println("mirror: " + message + (message.endsWith(".") || message.endsWith("?") ? "" : "."));
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The message for the user: ours are sentences already; the JDK's need the path and what went wrong. */
    static String sentence(Throwable e) {
        if (e instanceof FolderException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException missing) {
            return "No such file or folder: " + missing.getFile() + ".";
        }
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return "Permission denied: " + denied.getFile() + ".";
        }
        if (e instanceof java.nio.file.FileSystemException failed && failed.getReason() != null) {
            return failed.getFile() + ": " + failed.getReason() + ".";
        }
        if (e instanceof IOException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof InterruptedException) {
            return "Interrupted.";
        }
        return "Internal error (" + e + "); please report it, with the output of --verbose.";
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult result = parsed; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Reads the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MirrorCommand.class.getPackage().getImplementationVersion();
            return new String[] {"mirror " + (version == null ? "(development build)" : version)};
        }
    }
}
