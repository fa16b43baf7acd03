package dev.mirror.cli;

import dev.mirror.daemon.Daemon;
import dev.mirror.daemon.Folder;
import dev.mirror.wire.TlsContexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mirror serve}: runs the peer for a folder and prints an invite line for a new machine. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the peer for DIR: keep it mirrored with every paired machine, until stopped.",
            "Prints a one-time line 'mirror join HOST:PORT#TOKEN' on standard output: run it on the machine to pair "
                + "(it is valid for 24 hours, for one machine)."},
        footer = {"", "Examples:", "  mirror serve ~/Sync", "  mirror serve ~/Sync --listen 100.64.0.7:7733",
            "  mirror serve ~/Sync --listen 0.0.0.0:0 --advertise laptop.tailnet.ts.net"})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Mixin
    PeerOptions options = new PeerOptions();

    @Override
    public Integer call() throws Exception {
        TlsContexts.prepareInBackground();
        Folder folder = Folder.open(directory);
        Daemon daemon = Daemon.start(folder, options.toDaemonOptions(false), Optional.empty());
        PrintWriter out = spec.commandLine().getOut();
        out.println("mirror join " + daemon.invite().format());
        out.flush();
        return PeerRunner.runUntilStopped(daemon, spec.commandLine().getErr(), "serving " + folder.path());
    }
}
