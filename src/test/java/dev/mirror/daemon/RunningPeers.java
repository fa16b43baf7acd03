package dev.mirror.daemon;

import dev.mirror.identity.Invite;
import dev.mirror.testing.Await;
import dev.mirror.testing.TestFolders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Real peers for end-to-end tests: daemons listening on 127.0.0.1, real TLS, real folders under one temporary
 * directory. Closing stops every daemon started here, newest first. Rescans every 200 ms unless told otherwise, so a
 * change made by a test is seen quickly without a watcher.
 */
final class RunningPeers implements AutoCloseable {
    static final Duration RESCAN = Duration.ofMillis(200);

    private final Path temp;
    private final Duration converge;
    private final List<Daemon> daemons = new ArrayList<>();

    /** @param converge how long {@link #awaitConverged} waits */
    RunningPeers(Path temp, Duration converge) {
        this.temp = temp;
        this.converge = converge;
    }

    /** A new folder {@code name} under the temporary directory. */
    Path folder(String name) throws IOException {
        return Files.createDirectories(temp.resolve(name));
    }

    /** Starts a peer on {@code dir} on a free port, joining with {@code join} if given. */
    Daemon start(Path dir, Optional<Invite> join) throws Exception {
        return start(dir, "127.0.0.1:0", TestFolders.AHEAD, RESCAN, join);
    }

    Daemon start(Path dir, String listen, Clock clock, Duration rescan, Optional<Invite> join) throws Exception {
        Folder folder = Folder.open(dir, clock, 2);
        Daemon daemon = Daemon.start(folder, new DaemonOptions(DaemonOptions.parseListen(listen), false,
                Optional.empty(), rescan), join);
        daemons.add(daemon);
        return daemon;
    }

    /** Waits until {@code x} and {@code y} have one root, see each other connected and in sync, and {@code also}. */
    void awaitConverged(Daemon x, Daemon y, BooleanSupplier also, String description) {
        Await.until(converge, () -> x.root().equals(y.root()) && inSyncWith(x, y) && inSyncWith(y, x)
                && also.getAsBoolean(), description);
    }

    static boolean inSyncWith(Daemon self, Daemon other) {
        return self.status().peers().stream().anyMatch(p -> p.device().equals(other.deviceId()) && p.connected()
                && p.inSync() && self.root().equals(p.root()));
    }

    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).close();
        }
    }
}
