package dev.mirror.cli;

import dev.mirror.daemon.ControlClient;
import dev.mirror.daemon.Folder;
import dev.mirror.daemon.StatusReport;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mirror status}: how far the folder is from each peer, asked of the running peer. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show how far DIR is from each paired peer: connected or not, in sync or not, what is still "
            + "to fetch, bytes in and out.", "With no peer running on DIR, shows what the index knows and exits 3.",
            "With --wait, waits first until DIR is in sync with every paired peer (a script's way to know that a "
            + "change has reached the other machines)."},
        footer = {"", "Examples:", "  mirror status ~/Sync", "  mirror status --json ~/Sync   # docs/daemon.md "
            + "lists the fields", "  mirror status --wait --timeout 5m ~/Sync && systemctl suspend"})
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Option(names = "--json", description = "Print one JSON object (fields in docs/daemon.md).")
    boolean json;

    @Option(names = "--wait", description = "First wait until DIR is in sync with every paired peer (at least one); "
            + "exit 4 if --timeout passes first.")
    boolean waitInSync;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = PeerOptions.DurationConverter.class,
            description = "With --wait: give up after this long (e.g. 90s, 5m; default: wait as long as it takes).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (timeout != null && !waitInSync) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout goes with --wait");
        }
        PrintWriter out = spec.commandLine().getOut();
        Optional<StateDirectory> state = SyncedFolder.find(directory, spec.commandLine().getErr());
        if (state.isEmpty()) {
            return ExitCodes.NOT_RUNNING;
        }
        Optional<String> waited = Optional.empty();
        if (waitInSync) {
            long millis = timeout == null ? Long.MAX_VALUE : timeout.toMillis();
            waited = ControlClient.ask(state.get().path(), ControlClient.waitInSync(millis));
        }
        Optional<String> live = ControlClient.ask(state.get().path(), json ? "status" : "status-text");
        if (live.isPresent()) {
            out.println(live.get());
            out.flush();
            return waitInSync && !waited.map(ControlClient::isInSync).orElse(false) ? ExitCodes.NOT_IN_SYNC
                    : ExitCodes.OK;
        }
        try (Folder folder = Folder.open(directory)) {
            StatusReport report = StatusReport.offline(folder);
            out.println(json ? report.toJson() : report.toText());
        }
        out.flush();
        return ExitCodes.NOT_RUNNING;
    }
}
