package dev.mirror.sync;

import static dev.mirror.sync.Fixtures.A;
import static dev.mirror.sync.Fixtures.B;
import static dev.mirror.sync.Fixtures.C;
import static dev.mirror.sync.Fixtures.EARLIER;
import static dev.mirror.sync.Fixtures.LATER;
import static dev.mirror.sync.Fixtures.ONE;
import static dev.mirror.sync.Fixtures.TWO;
import static dev.mirror.sync.Fixtures.apply;
import static dev.mirror.sync.Fixtures.directory;
import static dev.mirror.sync.Fixtures.file;
import static dev.mirror.sync.Fixtures.mirrored;
import static dev.mirror.sync.Fixtures.symlink;
import static dev.mirror.sync.Fixtures.tombstone;
import static dev.mirror.sync.Fixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.DeviceId;
import dev.mirror.sync.Decision.InSync;
import dev.mirror.sync.Decision.PeerPulls;
import dev.mirror.sync.Decision.Pull;
import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryKind;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.VersionVector;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random pairs of entries, decided from both sides: the decision is repeatable, mirrored, and applying both sides'
 * decisions leaves both peers with the same entries, losing no concurrent edit. Small value sets (two contents, two
 * times, three devices) make ties, equal vectors and same-content pairs common.
 */
class ReconcilerPropertiesTest {
    /** A new seed every run, shown in the test name, so the search keeps exploring; rerun a failure with it. */
    private static final long FRESH_SEED = ThreadLocalRandom.current().nextLong();
    private static final int PAIRS_PER_SEED = 5_000;
    private static final List<DeviceId> DEVICES = List.of(A, B, C);
    private static final TreePath PATH = TreePath.of("docs/report.txt");
    private static final Reconciler OURS = new Reconciler(A, B);
    private static final Reconciler THEIRS = new Reconciler(B, A);

    static LongStream seeds() {
        return LongStream.of(1, 2, 3, 20240305, FRESH_SEED);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomPairsConvergeFromBothSides(long seed) {
        Random random = new Random(seed);
        Set<Class<?>> seen = new HashSet<>();
        for (int i = 0; i < PAIRS_PER_SEED; i++) {
            Entry ours = randomEntry(random);
            Entry theirs = randomPeerOf(ours, random);
            boolean children = (isLiveDirectory(ours) || isLiveDirectory(theirs)) && random.nextBoolean();
            String where = "seed " + seed + ", pair " + i + ": ours " + ours + ", theirs " + theirs
                    + (children ? ", with live children" : "");
            seen.add(check(ours, theirs, children, where).getClass());
        }
        assertEquals(5, seen.size(), "seed " + seed + " reached only " + seen);
    }

    private static Decision check(Entry ours, Entry theirs, boolean children, String where) {
        Decision decision = OURS.decide(PATH, ours, theirs, children);
        Decision peers = THEIRS.decide(PATH, theirs, ours, children);

        assertEquals(decision, OURS.decide(PATH, ours, theirs, children), "deciding twice, " + where);
        assertEquals(decision instanceof Pull, peers instanceof PeerPulls, "pull here iff the peer pulls, " + where);
        assertEquals(decision instanceof PeerPulls, peers instanceof Pull, "the peer pulls iff we pull, " + where);
        assertEquals(mirrored(decision, ours), peers, "the peer's decision, " + where);

        Map<TreePath, Entry> oursAfter = apply(PATH, ours, decision);
        Map<TreePath, Entry> theirsAfter = apply(PATH, theirs, peers);
        assertEquals(oursAfter, theirsAfter, "both indexes after applying, " + where);
        for (TreePath path : oursAfter.keySet()) {
            boolean childrenHere = children && path.equals(PATH);
            assertEquals(new InSync(), OURS.decide(path, oursAfter.get(path), theirsAfter.get(path), childrenHere),
                    "deciding " + path + " again, " + where);
        }

        Entry outcome = oursAfter.get(PATH);
        assertEquals(outcome, decision.outcome(ours), "outcome, " + where);
        for (Entry input : new Entry[] {ours, theirs}) {
            if (input != null) {
                assertNotEquals(VersionVector.Ordering.OLDER, outcome.version().compare(input.version()),
                        "the outcome orders at or after " + input + ", " + where);
                assertNotEquals(VersionVector.Ordering.CONCURRENT, outcome.version().compare(input.version()),
                        "the outcome orders at or after " + input + ", " + where);
            }
        }
        boolean sameVectors = ours != null && theirs != null && ours.version().equals(theirs.version());
        for (Entry input : new Entry[] {ours, theirs}) {
            // Else a third peer holding this input would see one vector over two contents. Equal input vectors
            // over different content are that state already, and resolve the same way wherever they meet.
            if (input != null && !sameVectors && !outcome.sameContentAs(input)) {
                assertEquals(VersionVector.Ordering.NEWER, outcome.version().compare(input.version()),
                        "an outcome that replaces " + input + " orders strictly after it, " + where);
            }
        }
        if (children) {
            assertTrue(outcome.isLive() && outcome.isDirectory(), "a directory keeps live children, " + where);
        }
        if (ours != null && theirs != null && !ordered(ours, theirs)) {
            assertKept(ours, oursAfter, where);
            assertKept(theirs, oursAfter, where);
        }
        return decision;
    }

    /** A live file's or symlink's data is still somewhere in the index. */
    private static void assertKept(Entry input, Map<TreePath, Entry> index, String where) {
        if (!input.isLive() || input.isDirectory()) {
            return;
        }
        boolean kept = index.values().stream().anyMatch(entry -> entry.isLive() && entry.kind() == input.kind()
                && input.contentHash().equals(entry.contentHash()));
        assertTrue(kept, "the data of " + input + " survives, " + where);
    }

    private static boolean ordered(Entry a, Entry b) {
        VersionVector.Ordering ordering = a.version().compare(b.version());
        return ordering == VersionVector.Ordering.NEWER || ordering == VersionVector.Ordering.OLDER;
    }

    private static boolean isLiveDirectory(Entry entry) {
        return entry != null && entry.isLive() && entry.isDirectory();
    }

    /** Independent, the same vector, an ordered successor, or the same entry: every relation occurs often. */
    private static Entry randomPeerOf(Entry ours, Random random) {
        if (ours == null) {
            return randomEntry(random);
        }
        return switch (random.nextInt(4)) {
            case 0 -> ours;
            case 1 -> {
                Entry other = randomEntry(random);
                yield other == null ? null : with(other, ours.version());
            }
            case 2 -> {
                Entry other = randomEntry(random);
                yield other == null ? null : with(other, ours.version().bumped(randomDevice(random)));
            }
            default -> randomEntry(random);
        };
    }

    private static Entry randomEntry(Random random) {
        if (random.nextInt(10) == 0) {
            return null;
        }
        VersionVector version = randomVector(random);
        return switch (random.nextInt(6)) {
            case 0 -> tombstone(EntryKind.values()[random.nextInt(EntryKind.values().length)], version);
            case 1, 2 -> file(random.nextBoolean() ? ONE : TWO, random.nextBoolean() ? EARLIER : LATER,
                    random.nextBoolean() ? 0644 : 0755, version);
            case 3 -> directory(random.nextBoolean() ? 0755 : 0700, version);
            case 4 -> symlink(random.nextBoolean() ? "notes.txt" : "../outside", version);
            default -> tombstone(EntryKind.FILE, version);
        };
    }

    /** Counters 0 to 3 for each of the three devices; never empty. */
    private static VersionVector randomVector(Random random) {
        long[] devices = new long[DEVICES.size()];
        long[] counters = new long[DEVICES.size()];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = DEVICES.get(i).shortId();
            counters[i] = random.nextInt(4);
        }
        VersionVector version = VersionVector.of(devices, counters);
        return version.size() > 0 ? version : version.bumped(randomDevice(random));
    }

    private static long randomDevice(Random random) {
        return DEVICES.get(random.nextInt(DEVICES.size())).shortId();
    }
}
