package dev.mirror.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the end-to-end tests start from: a temporary directory for their folders and {@link RunningPeers} to start
 * real peers in it, all stopped after each test. Tagged e2e, so the fast loop ({@code -DexcludedGroups=e2e}) skips
 * them.
 */
@Tag("e2e")
abstract class EndToEndTest {
    @TempDir
    Path temp;
    RunningPeers peers;

    /** How long {@link RunningPeers#awaitConverged} waits. */
    Duration converge() {
        return Duration.ofSeconds(20);
    }

    @BeforeEach
    void preparePeers() {
        peers = new RunningPeers(temp, converge());
    }

    @AfterEach
    void stopPeers() {
        peers.close();
    }
}
