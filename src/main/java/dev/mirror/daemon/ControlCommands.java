package dev.mirror.daemon;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the control socket answers (docs/daemon.md, "Control socket"): one line in, one line out. Reads come from
 * the daemon as they are; a restore runs on the sync thread, the folder's only writer, and the caller waits for it.
 */
final class ControlCommands {
    private static final Duration RESTORE_WAIT = Duration.ofSeconds(60);

    private final Daemon daemon;
    private final ExecutorService syncThread;
    private final Function<String, Callable<String>> restore;

    /** @param restore a restore request in, the work that carries it out (run on {@code syncThread}) out */
    ControlCommands(Daemon daemon, ExecutorService syncThread, Function<String, Callable<String>> restore) {
        this.daemon = daemon;
        this.syncThread = syncThread;
        this.restore = restore;
    }

    String answer(String command) {
        return switch (command) {
            case "status" -> daemon.status().toJson();
            case "status-text" -> daemon.status().toText();
            case "invite" -> daemon.invite().format();
            default -> command.startsWith(Restore.COMMAND + " ") ? restore(command)
                    : "error unknown command '" + command + "'";
        };
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
