package dev.mirror.cli;

import dev.mirror.daemon.ControlClient;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mirror invite}: asks the running peer for another one-time invite line. */
@Command(name = "invite", mixinStandardHelpOptions = true,
        description = {"Ask the peer running on DIR for a new one-time line 'mirror join HOST:PORT#TOKEN', to pair "
            + "one more machine (valid for 24 hours, for one machine)."},
        footer = {"", "Example:", "  mirror invite ~/Sync"})
final class InviteCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Optional<StateDirectory> state = SyncedFolder.find(directory, err);
        if (state.isEmpty()) {
            return ExitCodes.NOT_RUNNING;
        }
        Optional<String> invite = ControlClient.ask(state.get().path(), "invite");
        if (invite.isEmpty()) {
            err.println("mirror: No peer is running on " + directory + "; start one with 'mirror serve "
                    + directory + "'.");
            err.flush();
            return ExitCodes.NOT_RUNNING;
        }
        spec.commandLine().getOut().println("mirror join " + invite.get());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
