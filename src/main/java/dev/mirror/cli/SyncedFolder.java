package dev.mirror.cli;

import dev.mirror.store.StateDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The state directory of the folder a command that only looks ({@code status}, {@code invite}) was given: those never
 * make a folder a synced one, so a mistyped or never-synced directory gets one sentence, not a {@code .mirror/}.
 */
final class SyncedFolder {
    private SyncedFolder() {
    }

    /** DIR's state directory; empty, after saying so on {@code err}, if DIR was never served, joined or scanned. */
    static Optional<StateDirectory> find(Path directory, PrintWriter err) throws IOException {
        Optional<StateDirectory> state = StateDirectory.existing(directory);
        if (state.isEmpty()) {
            err.println("mirror: " + directory + " is not a synced folder (it has no " + StateDirectory.NAME
                    + "/); 'mirror serve " + directory + "' or 'mirror join HOST:PORT#TOKEN " + directory
                    + "' makes it one.");
            err.flush();
        }
        return state;
    }
}
