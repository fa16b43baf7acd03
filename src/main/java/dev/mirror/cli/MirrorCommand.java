package dev.mirror.cli;

import dev.mirror.store.FolderException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code mirror} command: its subcommands, and the one place where failures become a sentence on standard
 * error and an exit code (1 runtime failure, 2 usage; no stack trace unless --verbose).
 */
@Command(name = "mirror", mixinStandardHelpOptions = true, versionProvider = MirrorCommand.Version.class,
        description = "Keeps one folder identical across your own machines, peer to peer.",
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

    /**
     * The subcommands, in the order the usage help lists them. picocli builds a command's model by reflection over
     * its annotations, about 10 ms a command on a fresh JVM; {@link #commandLine} builds only the one that runs.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("serve", ServeCommand::new);
        commands.put("join", JoinCommand::new);
        commands.put("invite", InviteCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("versions", VersionsCommand::new);
        commands.put("restore", RestoreCommand::new);
        commands.put("scan", ScanCommand::new);
        commands.put("id", IdCommand::new);
        commands.put("help", CommandLine.HelpCommand::new);
        return commands;
    }

    /** The subcommand {@code args} name, or "" (the root's options take no values: the first other word). */
    static String subcommandNamed(String... args) {
        return Arrays.stream(args).filter(arg -> !arg.startsWith("-")).findFirst().orElse("");
    }

    /**
     * A command line ready to execute {@code args}, with mirror's error handling. When the arguments name a
     * subcommand (their first word that is not an option: the root's options take no values), only that one is
     * built; otherwise, for the help, a usage error or a misspelt command, all of them.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine commandLine = new CommandLine(new MirrorCommand());
        String named = subcommandNamed(args);
        boolean one = SUBCOMMANDS.containsKey(named) && !named.equals("help");
        SUBCOMMANDS.forEach((name, command) -> {
            if (!one || name.equals(named)) {
                commandLine.addSubcommand(name, command.get());
            }
        });
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
