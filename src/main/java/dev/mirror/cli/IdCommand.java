package dev.mirror.cli;

import dev.mirror.identity.Identity;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mirror id}: prints this peer's device ID, creating the identity on first use. */
@Command(name = "id", mixinStandardHelpOptions = true,
        description = "Print this peer's device ID (made on first use).",
        footer = {"", "Example:", "  mirror id ~/Sync"})
final class IdCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Override
    public Integer call() throws Exception {
        StateDirectory state = StateDirectory.open(directory);
        Identity identity = Identity.loadOrCreate(state.path());
        spec.commandLine().getOut().println(identity.deviceId());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
