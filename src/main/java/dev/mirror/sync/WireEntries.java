package dev.mirror.sync;

import com.google.protobuf.ByteString;
import dev.mirror.core.Hash;
import dev.mirror.store.NetworkPaths;
import dev.mirror.store.PathRejectedException;
import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryKind;
import dev.mirror.tree.IndexedEntry;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.VersionVector;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.Counter;
import dev.mirror.wire.proto.Failure;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Entries in and out of their wire form. What a peer sends is checked here, before anything else sees it: a path
 * that breaks a rule of {@link NetworkPaths}, an impossible size, a malformed hash or version vector is a protocol
 * violation that closes the link.
 */
public final class WireEntries {
    /** No real file is this large (a pebibyte); a peer claiming more is lying or broken. */
    public static final long MAX_FILE_BYTES = 1L << 50;

    private WireEntries() {
    }

    public static dev.mirror.wire.proto.Entry toWire(IndexedEntry indexed) {
        Entry entry = indexed.entry();
        dev.mirror.wire.proto.Entry.Builder b = dev.mirror.wire.proto.Entry.newBuilder()
                .setName(indexed.name())
                .setKindValue(entry.kind().code())
                .setSize(entry.size())
                .setMtimeNs(entry.mtimeNanos())
                .setMode(entry.mode())
                .setDeleted(entry.deleted())
                .setTreeHash(WireHashes.bytes(indexed.treeHash()));
        if (entry.contentHash() != null) {
            b.setContentHash(WireHashes.bytes(entry.contentHash()));
        }
        if (entry.symlinkTarget() != null) {
            b.setSymlinkTarget(ByteString.copyFromUtf8(entry.symlinkTarget()));
        }
        VersionVector version = entry.version();
        for (int i = 0; i < version.size(); i++) {
            b.addVersion(Counter.newBuilder().setDevice(version.device(i)).setValue(version.counter(i)));
        }
        return b.build();
    }

    /**
     * The entry a peer sent for a child of {@code parent} (a path that passed {@link #checkPath}), checked.
     *
     * @throws ProtocolException if any field breaks the rules: the link must close
     */
    public static RemoteEntry fromWire(TreePath parent, dev.mirror.wire.proto.Entry wire) throws ProtocolException {
        TreePath path = checkedChild(parent, wire.getName());
        try {
            if (wire.getSize() < 0 || wire.getSize() > MAX_FILE_BYTES) {
                throw invalid(path, "claims a size of " + Long.toUnsignedString(wire.getSize()) + " bytes");
            }
            EntryKind kind = EntryKind.fromCode(wire.getKindValue());
            long[] devices = new long[wire.getVersionCount()];
            long[] counters = new long[devices.length];
            for (int i = 0; i < devices.length; i++) {
                devices[i] = wire.getVersion(i).getDevice();
                counters[i] = wire.getVersion(i).getValue();
            }
            VersionVector version = VersionVector.of(devices, counters);
            if (version.size() == 0) {
                throw invalid(path, "has an empty version vector");
            }
            String target = wire.getSymlinkTarget().isEmpty() ? null : utf8(path, wire.getSymlinkTarget());
            if (target != null) {
                NetworkPaths.checkSymlinkTarget(path.toString(), target);
            }
            Hash content = wire.getContentHash().isEmpty() ? null : WireHashes.hash(wire.getContentHash(),
                    "content hash", path);
            Entry entry = new Entry(kind, wire.getSize(), wire.getMtimeNs(), wire.getMode(), content,
                    wire.getDeleted(), version, target);
            return new RemoteEntry(path, entry, WireHashes.hash(wire.getTreeHash(), "tree hash", path));
        } catch (PathRejectedException e) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "the peer sent a hostile symlink: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw invalid(path, "is malformed (" + e.getMessage() + ")");
        }
    }

    /**
     * The child {@code name} of {@code parent} (a path that passed {@link #checkPath}) if it may be there; checked
     * before any file call uses it. Only the name and the whole length are checked: the parent passed already.
     */
    static TreePath checkedChild(TreePath parent, String name) throws ProtocolException {
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "the peer sent a hostile name '" + name
                    + (name.isEmpty() ? "' (it is empty)" : "' (it holds '/')"));
        }
        String path = parent.isRoot() ? name : parent + "/" + name;
        try {
            NetworkPaths.checkLastName(path, path.length() - name.length(), parent.utf8Length());
        } catch (PathRejectedException e) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "the peer sent a hostile path: " + e.getMessage());
        }
        return parent.child(name);
    }

    /** {@code path} if it may name something in the folder (the root is ""). */
    static TreePath checkPath(String path) throws ProtocolException {
        if (path.isEmpty()) {
            return TreePath.ROOT;
        }
        try {
            return TreePath.of(NetworkPaths.check(path));
        } catch (PathRejectedException e) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "the peer sent a hostile path: " + e.getMessage());
        }
    }

    private static String utf8(TreePath path, ByteString bytes) throws ProtocolException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.asReadOnlyByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw invalid(path, "has a symlink target that is not UTF-8");
        }
    }

    private static ProtocolException invalid(TreePath path, String problem) {
        return new ProtocolException(Failure.Code.PROTOCOL, "the peer's entry for " + path + " " + problem);
    }
}
