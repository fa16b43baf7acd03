package dev.mirror.daemon;

import dev.mirror.identity.PeerAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The address an invite shows: where another machine can reach this peer. The host given with {@code --advertise}
 * wins; a peer bound to one address shows that one; a peer listening on all interfaces shows this machine's first
 * non-loopback address (IPv4 before IPv6, as more networks route it), or loopback if it has none.
 */
final class InviteAddress {
    private InviteAddress() {
    }

    static PeerAddress of(PeerAddress bound, DaemonOptions options) {
        if (options.advertise().isPresent()) {
            return new PeerAddress(options.advertise().get(), bound.port());
        }
        InetAddress host = options.listen().getAddress();
        if (host != null && !host.isAnyLocalAddress()) {
            return bound;
        }
        return new PeerAddress(reachableHost(), bound.port());
    }

    private static String reachableHost() {
        List<InetAddress> candidates = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!address.isLinkLocalAddress() && !address.isLoopbackAddress()) {
                        candidates.add(address);
                    }
                }
            }
        } catch (SocketException e) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        candidates.sort((a, b) -> Boolean.compare(!(a instanceof Inet4Address), !(b instanceof Inet4Address)));
        if (candidates.isEmpty()) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        String host = candidates.get(0).getHostAddress();
        int zone = host.indexOf('%');
        return zone < 0 ? host : host.substring(0, zone);
    }
}
