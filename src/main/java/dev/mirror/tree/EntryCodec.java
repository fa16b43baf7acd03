package dev.mirror.tree;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import dev.mirror.tree.proto.StoredBucket;
import dev.mirror.tree.proto.StoredEntry;
import dev.mirror.tree.proto.StoredNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Turns index values into bytes and back (docs/index-format.md). The generated {@code StoredEntry} classes never
 * leave this class. A value that does not decode means the index is damaged.
 */
final class EntryCodec {
    /** The tag of {@code tree_hash} as it is on the wire: field number, then the wire type in the low three bits. */
    private static final int TREE_HASH_TAG = StoredEntry.TREE_HASH_FIELD_NUMBER << 3
            | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private EntryCodec() {
    }

    static byte[] encode(IndexedEntry indexed) {
        Entry entry = indexed.entry();
        StoredEntry.Builder b = StoredEntry.newBuilder()
                .setKind(entry.kind().code())
                .setSize(entry.size())
                .setMtimeNs(entry.mtimeNanos())
                .setMode(entry.mode())
                .setDeleted(entry.deleted())
                .setTreeHash(bytes(indexed.treeHash()))
                .setInode(indexed.local().inode())
                .setCtimeNs(indexed.local().ctimeNanos());
        if (entry.contentHash() != null) {
            b.setContentHash(bytes(entry.contentHash()));
        }
        if (entry.symlinkTarget() != null) {
            b.setSymlinkTarget(ByteString.copyFromUtf8(entry.symlinkTarget()));
        }
        VersionVector version = entry.version();
        for (int i = 0; i < version.size(); i++) {
            b.addVersionDevices(version.device(i)).addVersionCounters(version.counter(i));
        }
        return b.build().toByteArray();
    }

    static IndexedEntry decode(String name, byte[] value) throws IndexDamagedException {
        try {
            StoredEntry s = StoredEntry.parseFrom(value);
            long[] devices = new long[s.getVersionDevicesCount()];
            long[] counters = new long[s.getVersionCountersCount()];
            for (int i = 0; i < devices.length; i++) {
                devices[i] = s.getVersionDevices(i);
            }
            for (int i = 0; i < counters.length; i++) {
                counters[i] = s.getVersionCounters(i);
            }
            Entry entry = new Entry(EntryKind.fromCode(s.getKind()), s.getSize(), s.getMtimeNs(), s.getMode(),
                    s.getContentHash().isEmpty() ? null : hash(s.getContentHash()), s.getDeleted(),
                    VersionVector.of(devices, counters),
                    s.getSymlinkTarget().isEmpty() ? null : s.getSymlinkTarget().toString(StandardCharsets.UTF_8));
            return new IndexedEntry(name, entry, new LocalStat(s.getInode(), s.getCtimeNs()), hash(s.getTreeHash()));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IndexDamagedException("the entry for '" + name + "' does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Only the tree hash of an entry's value, for re-cutting buckets, which need nothing else: reading one field
     * rather than building the whole entry (its version vector, its hashes) was two thirds of the decoding a first
     * mirror's index updates did (TreeUpdater).
     */
    static Hash treeHash(String name, byte[] value) throws IndexDamagedException {
        try {
            CodedInputStream input = CodedInputStream.newInstance(value);
            for (int tag; (tag = input.readTag()) != 0; ) {
                if (tag == TREE_HASH_TAG) {
                    return Hash.of(input.readByteArray());
                }
                input.skipField(tag);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IndexDamagedException("the entry for '" + name + "' does not decode: " + e.getMessage(), e);
        }
        throw new IndexDamagedException("the entry for '" + name + "' has no tree hash", null);
    }

    static byte[] encode(TreeSummary node, Hash childrenHash) {
        return StoredNode.newBuilder().setTreeHash(bytes(node.treeHash())).setChildrenHash(bytes(childrenHash))
                .setFiles(node.files()).setDirs(node.dirs()).setBytes(node.bytes()).build().toByteArray();
    }

    static TreeSummary decodeNode(String dir, byte[] value) throws IndexDamagedException {
        try {
            StoredNode s = StoredNode.parseFrom(value);
            return new TreeSummary(hash(s.getTreeHash()), s.getFiles(), s.getDirs(), s.getBytes());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IndexDamagedException("the node of directory '" + dir + "' does not decode: "
                    + e.getMessage(), e);
        }
    }

    static byte[] encode(Bucket bucket) {
        return StoredBucket.newBuilder().setHash(bytes(bucket.hash())).setCount(bucket.count()).build().toByteArray();
    }

    static Bucket decodeBucket(String lastName, byte[] value) throws IndexDamagedException {
        try {
            StoredBucket s = StoredBucket.parseFrom(value);
            return new Bucket(lastName, hash(s.getHash()), s.getCount());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IndexDamagedException("a bucket does not decode: " + e.getMessage(), e);
        }
    }

    static ChunkList decodeChunks(String path, byte[] value) throws IndexDamagedException {
        try {
            return ChunkList.fromPacked(value);
        } catch (IllegalArgumentException e) {
            throw new IndexDamagedException("the chunk list of '" + path + "' does not decode: " + e.getMessage(), e);
        }
    }

    private static ByteString bytes(Hash hash) {
        return ByteString.copyFrom(hash.toBytes());
    }

    private static Hash hash(ByteString bytes) {
        return Hash.of(bytes.toByteArray());
    }
}
