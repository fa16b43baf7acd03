package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.identity.InviteSecret;
import dev.mirror.identity.PeerAddress;
import dev.mirror.sync.PullProgress;
import dev.mirror.wire.Link;

import java.time.Duration;
import java.time.Instant;

/**
 * What the daemon knows about one paired (or pairing) device: its link if any, where to dial it, its last announced
 * root, and the progress of pulling from it. Guarded by its own monitor where fields change together; single fields
 * are volatile for status readers.
 */
final class PeerState {
    /** Dials and deferred pull rounds are retried after 1 s, 2 s, 4 s … at most a minute apart. */
    static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    static final Duration RETRY_MAX = Duration.ofSeconds(60);

    final DeviceId device;
    volatile PeerAddress address;
    volatile InviteSecret pairingSecret;
    volatile Link link;
    volatile boolean dialing;
    /** Between dials while not linked; guarded by this state's monitor. */
    final Backoff backoff;
    /** Between pull rounds that left files deferred; guarded by this state's monitor. */
    final Backoff pullBackoff;
    volatile Instant nextRetry;
    volatile Instant lastSeen;
    volatile Hash peerRoot;
    boolean pullQueued;
    volatile boolean pulling;
    volatile boolean retry;
    volatile long bytesInBefore;
    volatile long bytesOutBefore;
    final PullProgress progress = new PullProgress();

    PeerState(DeviceId device) {
        this.device = device;
        this.backoff = new Backoff(RETRY_FIRST, RETRY_MAX);
        this.pullBackoff = new Backoff(RETRY_FIRST, RETRY_MAX);
    }

    /**
     * Makes {@code link}, dialed by {@code dialer}, this peer's link, unless an open one exists that wins: when both
     * sides dial at once, each keeps the link dialed by the smaller device ID, so both keep the same one. The loser
     * is closed. Call holding this state's monitor.
     *
     * @return whether {@code link} is the peer's link now
     */
    boolean adopt(Link link, DeviceId dialer, DeviceId self) {
        Link existing = this.link;
        if (existing != null && existing.isOpen()) {
            DeviceId keepDialer = self.compareTo(device) < 0 ? self : device;
            if (!dialer.equals(keepDialer)) {
                link.close();
                return false;
            }
            existing.close();
        }
        this.link = link;
        return true;
    }

    StatusReport.PeerStatus status(Hash ourRoot) {
        Link current = link;
        boolean connected = current != null && current.isOpen();
        Hash theirs = peerRoot;
        boolean inSync = connected && ourRoot.equals(theirs) && !pulling && progress.needFiles() == 0;
        long in = bytesInBefore + (current == null ? 0 : current.bytesIn());
        long out = bytesOutBefore + (current == null ? 0 : current.bytesOut());
        String where = connected ? current.remoteAddress() : address == null ? null : address.format();
        return new StatusReport.PeerStatus(device, where, connected, theirs, inSync, progress.needFiles(),
                progress.needBytes(), in, out, lastSeen, nextRetry);
    }
}
