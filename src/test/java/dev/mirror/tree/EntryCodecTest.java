package dev.mirror.tree;

import dev.mirror.core.Hash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Index values decode to what was encoded; the tree-hash-only read agrees with the whole decode. */
class EntryCodecTest {
    private static final IndexedEntry FILE = new IndexedEntry("a.txt", new Entry(EntryKind.FILE, 1234,
            1_700_000_000_123_456_789L, 0644, Hash.sha256("content".getBytes(StandardCharsets.UTF_8)), false,
            VersionVector.of(new long[] {3, 9}, new long[] {5, 1}), null),
            new LocalStat(77, 1_700_000_001_000_000_000L), Hash.sha256("tree".getBytes(StandardCharsets.UTF_8)));
    private static final IndexedEntry LINK = new IndexedEntry("l", new Entry(EntryKind.SYMLINK, 4, 5, 0777, Hash.sha256("../t".getBytes(StandardCharsets.UTF_8)),
            false, VersionVector.of(new long[] {1}, new long[] {2}), "../t"), new LocalStat(8, 9),
            Hash.sha256("link".getBytes(StandardCharsets.UTF_8)));

    @Test
    void entriesRoundTrip() throws Exception {
        for (IndexedEntry entry : new IndexedEntry[] {FILE, LINK}) {
            assertEquals(entry, EntryCodec.decode(entry.name(), EntryCodec.encode(entry)));
        }
    }

    @Test
    void theTreeHashAloneIsTheOneTheWholeEntryHas() throws Exception {
        for (IndexedEntry entry : new IndexedEntry[] {FILE, LINK}) {
            assertEquals(entry.treeHash(), EntryCodec.treeHash(entry.name(), EntryCodec.encode(entry)));
        }
    }

    @Test
    void aDamagedValueIsReportedAsDamaged() {
        byte[] value = EntryCodec.encode(FILE);
        byte[] cut = Arrays.copyOf(value, value.length / 2); // ends before or inside the tree hash
        assertThrows(IndexDamagedException.class, () -> EntryCodec.treeHash("a.txt", cut));
        assertThrows(IndexDamagedException.class, () -> EntryCodec.treeHash("a.txt", new byte[] {(byte) 0xff}));
        IndexDamagedException missing = assertThrows(IndexDamagedException.class,
                () -> EntryCodec.treeHash("a.txt", new byte[] {0x08, 0x01})); // kind = 1 and nothing else
        assertEquals("the entry for 'a.txt' has no tree hash", missing.getMessage());
    }
}
