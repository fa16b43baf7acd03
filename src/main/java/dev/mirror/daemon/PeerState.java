package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.identity.InviteSecret;
import dev.mirror.identity.PeerAddress;
import dev.mirror.sync.PullProgress;
import dev.mirror.wire.Link;

import java.time.Instant;

/**
 * What the daemon knows about one paired (or pairing) device: its link if any, where to dial it, its last announced
 * root, and the progress of pulling from it. Guarded by its own monitor where fields change together; single fields
 * are volatile for status readers.
 */
final class PeerState {
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

    PeerState(Backoff backoff, Backoff pullBackoff) {
        this.backoff = backoff;
        this.pullBackoff = pullBackoff;
    }

    StatusReport.PeerStatus status(DeviceId device, Hash ourRoot) {
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
