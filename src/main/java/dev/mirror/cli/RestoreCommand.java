package dev.mirror.cli;

import dev.mirror.daemon.ControlClient;
import dev.mirror.daemon.Folder;
import dev.mirror.daemon.Restore;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mirror restore}: brings a kept version back as a new local change, which mirrors to every peer. */
// No standard help options: their -V/--version would take the name --version needs here.
@Command(name = "restore", customSynopsis = "mirror restore [-hv] [--version=N] [DIR] PATH",
        description = {"Put an earlier version of PATH back in the folder, as a new change that mirrors to every "
            + "peer. What is at PATH now is kept as a version first, so a restore never loses anything.",
            "With a peer running on the folder, it restores and tells its peers at once; with none, the folder is "
                + "rescanned and the next 'mirror serve' sends it."},
        footer = {"", "Examples:", "  mirror versions ~/Sync docs/report.pdf     # see what is kept, newest first",
            "  mirror restore ~/Sync docs/report.pdf      # bring back the newest (version 1)",
            "  mirror restore ~/Sync/docs/report.pdf --version 3"})
final class RestoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "[DIR] PATH", description = "The synced folder (default: the one "
            + "holding PATH), and the path in it: relative to DIR, or a path under it.")
    List<String> arguments;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "N", description = "Which version, as 'mirror versions' numbers them "
            + "(default: 1, the newest).")
    int version = 1;

    @Override
    public Integer call() throws Exception {
        if (version < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--version counts from 1 (the newest), not "
                    + version);
        }
        FolderPath target = FolderPath.of(spec.commandLine(), arguments);
        StateDirectory state = StateDirectory.open(target.folder());
        Optional<String> live = ControlClient.ask(state.path(), Restore.request(target.relative(), version));
        String restored;
        if (live.isPresent()) {
            if (live.get().isEmpty()) {
                throw new IOException("The running peer stopped before it answered; see 'mirror versions' for "
                        + "whether the restore happened.");
            }
            restored = live.get();
        } else {
            try (Folder folder = Folder.open(target.folder())) {
                restored = Restore.offline(folder, target.relative(), version);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(restored);
        out.flush();
        return ExitCodes.OK;
    }
}
