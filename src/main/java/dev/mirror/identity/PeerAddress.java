package dev.mirror.identity;

import java.util.Objects;

/**
 * Where a peer listens: a host name or IP address and a TCP port. IPv6 addresses are written in brackets
 * ({@code [fd7a::1]:22000}), as in URLs. Immutable.
 */
public record PeerAddress(String host, int port) {
    public PeerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '#' || c == '/')) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException naming what is wrong, for the user
     */
    public static PeerAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not [IPV6]:PORT");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (write an IPv6 address as "
                        + "[ADDRESS]:PORT)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        try {
            return new PeerAddress(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + port + "' in '" + text + "' is not a port number");
        }
    }

    /** The address of a bound or connected socket, by its literal IP address. */
    public static PeerAddress of(java.net.InetSocketAddress socket) {
        String host = socket.getAddress() == null ? socket.getHostString() : socket.getAddress().getHostAddress();
        int zone = host.indexOf('%'); // an IPv6 scope: meaningless to another machine
        return new PeerAddress(zone < 0 ? host : host.substring(0, zone), socket.getPort());
    }

    public String format() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
