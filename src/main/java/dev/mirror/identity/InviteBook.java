package dev.mirror.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The invites this peer has handed out and not yet seen used: each secret admits one unknown device, once, before it
 * expires. Consuming is atomic, so two devices racing with the same secret cannot both get in. Thread-safe.
 */
public final class InviteBook {
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

    private final Clock clock;
    private final Duration lifetime;
    private final List<Outstanding> outstanding = new ArrayList<>();

    public InviteBook(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A fresh secret, valid from now for the book's lifetime. */
    public synchronized InviteSecret issue() {
        InviteSecret secret = InviteSecret.random();
        outstanding.add(new Outstanding(secret, clock.instant().plus(lifetime)));
        return secret;
    }

    /** True if some invite is still unused and unexpired: only then may an unknown certificate try to pair. */
    public synchronized boolean hasOutstanding() {
        Instant now = clock.instant();
        outstanding.removeIf(invite -> !now.isBefore(invite.expires()));
        return !outstanding.isEmpty();
    }

    /**
     * Uses up {@code presented} if it is outstanding and unexpired.
     *
     * @return whether the presenter may pair; false for a forged, expired or already used secret
     */
    public synchronized boolean consume(InviteSecret presented) {
        Instant now = clock.instant();
        boolean accepted = false;
        for (Iterator<Outstanding> it = outstanding.iterator(); it.hasNext(); ) {
            Outstanding invite = it.next();
            boolean expired = !now.isBefore(invite.expires());
            // Every entry is compared, matched or not, so the time taken says nothing about which one matched.
            boolean matches = invite.secret().matches(presented);
            if (expired || matches) {
                it.remove();
            }
            accepted |= matches && !expired;
        }
        return accepted;
    }

    private record Outstanding(InviteSecret secret, Instant expires) {
    }
}
