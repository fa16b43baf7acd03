package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.core.Json;
import dev.mirror.identity.PeerAddress;
import dev.mirror.tree.TreeSummary;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code mirror status} reports: this folder's root and totals, and for each paired peer how far apart the two
 * are. docs/daemon.md documents the JSON form field by field.
 *
 * @param watching whether the running peer watches the folder for changes (false: it scans periodically instead)
 * @param listening where the running peer listens; null if it is not running
 */
public record StatusReport(DeviceId device, TreeSummary summary, boolean running, boolean watching,
                           PeerAddress listening, List<PeerStatus> peers) {

    /**
     * One peer, from our side.
     *
     * @param root the root it last announced; null if never linked since start
     * @param needFiles files we still have to fetch from it in the current round
     * @param bytesIn frame bytes received from it since start; {@code bytesOut} likewise sent
     */
    public record PeerStatus(DeviceId device, String address, boolean connected, Hash root, boolean inSync,
                             long needFiles, long needBytes, long bytesIn, long bytesOut, Instant lastSeen,
                             Instant nextRetry) {
    }

    /** What the index knows of a folder with no running peer: its root, and the paired peers, none connected. */
    public static StatusReport offline(Folder folder) throws java.io.IOException {
        List<PeerStatus> peers = new ArrayList<>();
        for (Map.Entry<DeviceId, java.util.Optional<PeerAddress>> peer : PeerBook.load(folder.state().path()).all()
                .entrySet()) {
            peers.add(new PeerStatus(peer.getKey(), peer.getValue().map(PeerAddress::format).orElse(null), false,
                    null, false, 0, 0, 0, 0, null, null));
        }
        return new StatusReport(folder.deviceId(), folder.summary(), false, false, null, peers);
    }

    /** Paired with at least one peer, and in sync with every one. */
    public boolean inSyncWithEveryPeer() {
        return !peers.isEmpty() && peers.stream().allMatch(PeerStatus::inSync);
    }

    /** The same, for people: one block for the folder, one line per peer. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("device   ").append(device).append('\n');
        out.append("root     ").append(summary.treeHash().hex()).append('\n');
        out.append("files    ").append(summary.files()).append(" files, ").append(summary.bytes()).append(" bytes")
                .append('\n');
        out.append("peer     ").append(running ? "running, listening on " + listening.format() : "not running")
                .append(running && !watching ? ", not watching (scanning periodically)" : "").append('\n');
        if (peers.isEmpty()) {
            out.append("no paired peers yet: 'mirror serve' prints an invite line\n");
        }
        for (PeerStatus peer : peers) {
            String state = !running ? "" : !peer.connected() ? "not connected" + (peer.nextRetry() == null ? ""
                    : ", next try " + peer.nextRetry()) : peer.inSync() ? "in sync"
                    : "syncing, " + peer.needFiles() + " files (" + peer.needBytes() + " bytes) to fetch";
            out.append("  ").append(peer.device().shortForm()).append("  ")
                    .append(peer.address() == null ? "(dials us)" : peer.address()).append("  ").append(state)
                    .append(running ? "  in " + peer.bytesIn() + " B, out " + peer.bytesOut() + " B" : "")
                    .append('\n');
        }
        return out.toString().stripTrailing();
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device", device.toString());
        json.put("root", summary.treeHash().hex());
        json.put("files", summary.files());
        json.put("dirs", summary.dirs());
        json.put("bytes", summary.bytes());
        json.put("running", running);
        json.put("watching", watching);
        json.put("listen", listening == null ? null : listening.format());
        List<Object> list = new ArrayList<>();
        for (PeerStatus peer : peers) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("device", peer.device().toString());
            p.put("address", peer.address());
            p.put("connected", peer.connected());
            p.put("root", peer.root() == null ? null : peer.root().hex());
            p.put("inSync", peer.inSync());
            p.put("needFiles", peer.needFiles());
            p.put("needBytes", peer.needBytes());
            p.put("bytesIn", peer.bytesIn());
            p.put("bytesOut", peer.bytesOut());
            p.put("lastSeen", peer.lastSeen() == null ? null : peer.lastSeen().toString());
            p.put("nextRetry", peer.nextRetry() == null ? null : peer.nextRetry().toString());
            list.add(p);
        }
        json.put("peers", list);
        return Json.write(json);
    }
}
