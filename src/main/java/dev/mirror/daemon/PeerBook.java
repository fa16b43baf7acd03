package dev.mirror.daemon;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.mirror.core.DeviceId;
import dev.mirror.core.DurableFiles;
import dev.mirror.core.Hash;
import dev.mirror.identity.PeerAddress;
import dev.mirror.store.FolderException;
import dev.mirror.tree.proto.StoredPeer;
import dev.mirror.tree.proto.StoredPeers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices this folder is paired with, pinned by device ID, and where to dial each (docs/index-format.md,
 * "peers"). Kept in {@code .mirror/peers}, apart from the index, so that rebuilding a damaged index never unpairs
 * anyone. Every change rewrites the file whole and durably. Thread-safe.
 */
public final class PeerBook {
    public static final String FILE = "peers";

    private final Path file;
    private final Map<DeviceId, Optional<PeerAddress>> peers = new LinkedHashMap<>();

    private PeerBook(Path file) {
        this.file = file;
    }

    /** Reads the paired devices of the folder whose state directory is {@code stateDir}; none if never paired. */
    public static PeerBook load(Path stateDir) throws IOException {
        PeerBook book = new PeerBook(stateDir.resolve(FILE));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(book.file);
        } catch (NoSuchFileException e) {
            return book;
        }
        try {
            for (StoredPeer stored : StoredPeers.parseFrom(bytes).getPeersList()) {
                DeviceId device = DeviceId.of(Hash.of(stored.getDeviceId().toByteArray()));
                Optional<PeerAddress> address = stored.getAddress().isEmpty() ? Optional.empty()
                        : Optional.of(PeerAddress.parse(stored.getAddress()));
                book.peers.put(device, address);
            }
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new FolderException(book.file + " is damaged (" + e.getMessage() + "); move it away and pair "
                    + "again with 'mirror invite' and 'mirror join'.");
        }
        return book;
    }

    public synchronized boolean isPaired(DeviceId device) {
        return peers.containsKey(device);
    }

    /** Pins {@code device}, remembering where to dial it if {@code address} is given. */
    public synchronized void pair(DeviceId device, Optional<PeerAddress> address) throws IOException {
        Optional<PeerAddress> known = peers.get(device);
        Optional<PeerAddress> kept = address.isPresent() ? address : known == null ? Optional.empty() : known;
        if (kept.equals(known)) {
            return;
        }
        peers.put(device, kept);
        save();
    }

    /** The paired devices and where to dial them (empty: they dial us). */
    public synchronized Map<DeviceId, Optional<PeerAddress>> all() {
        return Map.copyOf(peers);
    }

    public synchronized List<DeviceId> devices() {
        return new ArrayList<>(peers.keySet());
    }

    private void save() throws IOException {
        StoredPeers.Builder stored = StoredPeers.newBuilder();
        peers.forEach((device, address) -> stored.addPeers(StoredPeer.newBuilder()
                .setDeviceId(ByteString.copyFrom(device.hash().toBytes()))
                .setAddress(address.map(PeerAddress::format).orElse(""))));
        DurableFiles.replace(file, stored.build().toByteArray());
    }
}
