package dev.mirror.tree;

import dev.mirror.core.Hash;

import java.nio.ByteBuffer;
import java.util.Objects;

/** Where a chunk's bytes can be read locally: a file of the folder, an offset and a length. */
public record ChunkLocation(Hash chunk, TreePath file, long offset, int length) {
    public ChunkLocation {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(file, "file");
    }

    /** The chunk_index value: offset (8 bytes) and length (4 bytes), big-endian. */
    static byte[] encodeValue(long offset, int length) {
        return ByteBuffer.allocate(12).putLong(offset).putInt(length).array();
    }

    static ChunkLocation decode(byte[] key, byte[] value) throws IndexDamagedException {
        if (value.length != 12 || key.length <= Hash.BYTES + 1) {
            throw new IndexDamagedException("a chunk index record has the wrong size", null);
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new ChunkLocation(Hash.of(key, 0), pathOfEntryKey(key, Hash.BYTES), buffer.getLong(),
                buffer.getInt());
    }

    /** Reverses {@link Keys#entry(TreePath)}: parent, 0x00, name. */
    private static TreePath pathOfEntryKey(byte[] key, int from) {
        int separator = from;
        while (key[separator] != Keys.SEPARATOR) {
            separator++;
        }
        String parent = new String(key, from, separator - from, java.nio.charset.StandardCharsets.UTF_8);
        String name = Keys.name(key, separator + 1);
        return TreePath.of(parent).child(name);
    }
}
