package dev.mirror.daemon;

import dev.mirror.core.Hash;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the control socket answers (docs/daemon.md, "Control socket"): one line in, one line out. Reads come from
 * the daemon as they are; a restore runs on the sync thread, the folder's only writer, and the caller waits for it;
 * a wait for the folder to be in sync is answered by {@link SyncWaits} when it is.
 */
final class ControlCommands {
    private static final Duration RESTORE_WAIT = Duration.ofSeconds(60);
    /** The command a waiting client sends: {@code wait-in-sync MILLIS [ROOT]}. */
    static final String WAIT = "wait-in-sync";

    private final Daemon daemon;
    private final ExecutorService syncThread;
    private final Function<String, Callable<String>> restore;
    private final SyncWaits waits;

    /** @param restore a restore request in, the work that carries it out (run on {@code syncThread}) out */
    ControlCommands(Daemon daemon, ExecutorService syncThread, Function<String, Callable<String>> restore,
                    SyncWaits waits) {
        this.daemon = daemon;
        this.syncThread = syncThread;
        this.restore = restore;
        this.waits = waits;
    }

    CompletionStage<String> answer(String command) {
        if (command.startsWith(WAIT + " ")) {
            return waitInSync(command.substring(WAIT.length() + 1));
        }
        return CompletableFuture.completedFuture(switch (command) {
            case "status" -> daemon.status().toJson();
            case "status-text" -> daemon.status().toText();
            case "invite" -> daemon.invite().format();
            default -> command.startsWith(Restore.COMMAND + " ") ? restore(command)
                    : "error unknown command '" + command + "'";
        });
    }

    /** {@code MILLIS [ROOT]}: answered when in sync (and the root is not ROOT), or after MILLIS. */
    private CompletionStage<String> waitInSync(String arguments) {
        String[] words = arguments.split(" ");
        long millis;
        Optional<Hash> notRoot;
        try {
            if (words.length > 2) {
                throw new IllegalArgumentException("too many arguments");
            }
            millis = Long.parseLong(words[0]);
            if (millis < 0) {
                throw new IllegalArgumentException("a negative wait");
            }
            notRoot = words.length == 2 ? Optional.of(Hash.fromHex(words[1])) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture("error " + WAIT + " takes MILLIS [ROOT] (" + e.getMessage()
                    + ")");
        }
        return waits.whenInSync(Duration.ofMillis(millis), notRoot);
    }

    private String restore(String request) {
        try {
            // Bounded: a long pull round holds the sync thread, and status must not wait behind a restore for ever.
            return syncThread.submit(restore.apply(request)).get(RESTORE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error the peer is stopping";
        } catch (TimeoutException e) {
            return "error the peer is busy (a pull round is running); the restore will still happen, check with "
                    + "'mirror versions'";
        } catch (ExecutionException | RejectedExecutionException e) {
            return "error the peer could not restore (" + e.getMessage() + ")";
        }
    }
}
