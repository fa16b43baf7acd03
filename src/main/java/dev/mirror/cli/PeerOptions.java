package dev.mirror.cli;

import dev.mirror.daemon.Daemon;
import dev.mirror.daemon.DaemonOptions;
import dev.mirror.store.VersionHistory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/** The options of every command that runs the peer ({@code serve}, {@code join}). */
final class PeerOptions {
    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = ListenConverter.class,
            description = "Where to accept links (default: all interfaces, port " + Daemon.DEFAULT_PORT + "). "
                    + "Port 0 takes a free port; the invite shows the one bound.")
    InetSocketAddress listen;

    @Option(names = "--advertise", paramLabel = "HOST",
            description = "The host name or address to put in invites (default: this machine's first "
                    + "non-loopback address when listening on all interfaces).")
    String advertise;

    @Option(names = "--rescan-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to scan the whole folder for changes the watcher missed: 500ms, 5s, 2m, 1h "
                    + "(default: 1h). Without watching (inotify limit reached): this, at most 10s.")
    Duration rescanInterval = DaemonOptions.DEFAULT_RESCAN;

    @Option(names = "--keep-versions", paramLabel = "N", converter = KeepVersionsConverter.class,
            description = "How many earlier versions of each path to keep in DIR/.mirror/versions/ when mirror "
                    + "replaces or deletes it, from 1 to " + VersionHistory.MAX_KEEP + " (default: "
                    + VersionHistory.DEFAULT_KEEP + "); see 'mirror versions'.")
    int keepVersions = VersionHistory.DEFAULT_KEEP;

    /** @param anyPortByDefault without --listen, take a free port if the default one is in use */
    DaemonOptions toDaemonOptions(boolean anyPortByDefault) {
        boolean given = listen != null;
        return new DaemonOptions(given ? listen : DaemonOptions.defaultListen(), !given && anyPortByDefault,
                Optional.ofNullable(advertise), rescanInterval, keepVersions);
    }

    static final class ListenConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return DaemonOptions.parseListen(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** 0 is refused: a peer's mistaken delete must stay recoverable here (docs/writing.md, "Kept versions"). */
    static final class KeepVersionsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (value.matches("[0-9]{1,9}")) {
                int keep = Integer.parseInt(value);
                if (keep >= 1 && keep <= VersionHistory.MAX_KEEP) {
                    return keep;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number of versions from 1 to "
                    + VersionHistory.MAX_KEEP + " (mirror always keeps at least the last one)");
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 500ms, 5s, 2m "
                        + "or 1h");
            }
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
            if (duration.isZero()) {
                throw new CommandLine.TypeConversionException("the interval must be longer than zero");
            }
            return duration;
        }
    }
}
