package dev.mirror.daemon;

import dev.mirror.identity.PeerAddress;
import dev.mirror.store.VersionHistory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Daemon} runs.
 *
 * @param listen where to accept links; port 0 takes a free one
 * @param anyPortWillDo if the port is taken, take a free one instead of failing (a joining peer that nobody dials
 *     first may listen anywhere; a serving peer must be where its invite says)
 * @param advertise the host to put in invites instead of the one guessed
 * @param rescanInterval how often the whole folder is scanned, as a safety net behind watching
 * @param keepVersions how many earlier versions of each path to keep in {@code .mirror/versions/}
 */
public record DaemonOptions(InetSocketAddress listen, boolean anyPortWillDo, Optional<String> advertise,
                            Duration rescanInterval, int keepVersions) {
    /** Watching carries changes within a second; the full rescan only catches what a watcher can miss. */
    public static final Duration DEFAULT_RESCAN = Duration.ofHours(1);
    /** The longest wait between scans once watching is impossible (the system's inotify limit is reached). */
    public static final Duration MAX_FALLBACK_SCAN = Duration.ofSeconds(10);

    public DaemonOptions {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(advertise, "advertise");
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("the rescan interval must be positive, not " + rescanInterval);
        }
        if (keepVersions < 1 || keepVersions > VersionHistory.MAX_KEEP) {
            throw new IllegalArgumentException("keep 1 to " + VersionHistory.MAX_KEEP + " versions, not "
                    + keepVersions);
        }
    }

    /** Keeping the default number of versions. */
    public DaemonOptions(InetSocketAddress listen, boolean anyPortWillDo, Optional<String> advertise,
                         Duration rescanInterval) {
        this(listen, anyPortWillDo, advertise, rescanInterval, VersionHistory.DEFAULT_KEEP);
    }

    /**
     * How often the whole folder is scanned when it cannot be watched: the rescan interval, but at least every
     * {@link #MAX_FALLBACK_SCAN}, since an hourly safety net alone would leave changes unsent for an hour.
     */
    public Duration fallbackScanInterval() {
        return rescanInterval.compareTo(MAX_FALLBACK_SCAN) < 0 ? rescanInterval : MAX_FALLBACK_SCAN;
    }

    /** All interfaces, the default port. */
    public static InetSocketAddress defaultListen() {
        return new InetSocketAddress(Daemon.DEFAULT_PORT);
    }

    /**
     * Reads {@code HOST:PORT} ({@code [IPV6]:PORT}) for {@code --listen}; port 0 means any free port, host
     * {@code *} or {@code 0.0.0.0} all interfaces.
     *
     * @throws IllegalArgumentException naming what is wrong, for the user
     */
    public static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        boolean anyPort = colon >= 0 && text.substring(colon + 1).equals("0");
        // PeerAddress checks everything but allows no port 0: check with port 1, then use 0.
        PeerAddress address = PeerAddress.parse(anyPort ? text.substring(0, colon + 1) + "1" : text);
        int port = anyPort ? 0 : address.port();
        if (address.host().equals("*")) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress socket = new InetSocketAddress(address.host(), port);
        if (socket.isUnresolved()) {
            throw new IllegalArgumentException("'" + address.host() + "' is not an address of this machine");
        }
        return socket;
    }
}
