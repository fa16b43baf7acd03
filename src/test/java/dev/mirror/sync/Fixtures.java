package dev.mirror.sync;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.sync.Decision.Conflict;
import dev.mirror.sync.Decision.InSync;
import dev.mirror.sync.Decision.MergeVersions;
import dev.mirror.sync.Decision.PeerPulls;
import dev.mirror.sync.Decision.Pull;
import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryKind;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.VersionVector;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Devices, entries and a pure model of applying decisions, for the sync tests. The devices' IDs sort
 * A (0x11…) &lt; C (0x77…) &lt; B (0xEE…) as unsigned numbers; B's short ID is negative as a signed long.
 */
final class Fixtures {
    static final DeviceId A = device(0x11);
    static final DeviceId B = device(0xEE);
    static final DeviceId C = device(0x77);
    /** The first 7 characters of each ID's text form, as conflict names carry them. */
    static final String A7 = "CEIRCEI";
    static final String B7 = "53XO53X";
    static final String C7 = "O53XO53";

    static final Hash ONE = Hash.sha256("one".getBytes(StandardCharsets.UTF_8));
    static final Hash TWO = Hash.sha256("two".getBytes(StandardCharsets.UTF_8));
    /** Two modification times; conflict names show them as 20240305-141516 and 20240305-142000. */
    static final long EARLIER = nanos("2024-03-05T14:15:16.500Z");
    static final long LATER = nanos("2024-03-05T14:20:00Z");

    private Fixtures() {
    }

    static DeviceId device(int fill) {
        byte[] bytes = new byte[Hash.BYTES];
        Arrays.fill(bytes, (byte) fill);
        return DeviceId.of(Hash.of(bytes));
    }

    /** A vector from (device, counter) pairs: {@code v(A, 1, B, 2)}. */
    static VersionVector v(Object... pairs) {
        long[] devices = new long[pairs.length / 2];
        long[] counters = new long[pairs.length / 2];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = ((DeviceId) pairs[2 * i]).shortId();
            counters[i] = ((Number) pairs[2 * i + 1]).longValue();
        }
        return VersionVector.of(devices, counters);
    }

    static long nanos(String instant) {
        Instant time = Instant.parse(instant);
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    static Entry file(Hash content, long mtimeNanos, VersionVector version) {
        return file(content, mtimeNanos, 0644, version);
    }

    static Entry file(Hash content, long mtimeNanos, int mode, VersionVector version) {
        return Entry.file(content.equals(ONE) ? 100 : 200, mtimeNanos, mode, content, version);
    }

    static Entry directory(int mode, VersionVector version) {
        return Entry.directory(mode, version);
    }

    static Entry symlink(String target, VersionVector version) {
        byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
        return Entry.symlink(target, Hash.sha256(bytes), bytes.length, version);
    }

    static Entry tombstone(EntryKind kind, VersionVector version) {
        return new Entry(kind, 0, 0, 0, null, true, version, null);
    }

    static Entry with(Entry entry, VersionVector version) {
        return new Entry(entry.kind(), entry.size(), entry.mtimeNanos(), entry.mode(), entry.contentHash(),
                entry.deleted(), version, entry.symlinkTarget());
    }

    /**
     * What one peer's index holds after applying {@code decision}: the decided path (absent if null) and any
     * conflict copy. Written apart from {@link Decision#outcome} on purpose, as the oracle the code is checked by.
     */
    static Map<TreePath, Entry> apply(TreePath path, Entry held, Decision decision) {
        Map<TreePath, Entry> index = new HashMap<>();
        if (held != null) {
            index.put(path, held);
        }
        if (decision instanceof Pull pull) {
            index.put(path, pull.entry());
        } else if (decision instanceof MergeVersions merge) {
            index.put(path, with(held, merge.merged()));
        } else if (decision instanceof Conflict conflict) {
            index.put(path, conflict.resolved());
            conflict.loserCopy().ifPresent(copy -> index.put(copy.path(), copy.entry()));
        } else if (!(decision instanceof InSync || decision instanceof PeerPulls)) {
            throw new AssertionError("unknown decision " + decision);
        }
        return index;
    }

    /** The decision the peer must reach when we reach {@code ours} holding {@code local}. */
    static Decision mirrored(Decision ours, Entry local) {
        if (ours instanceof Pull) {
            return new PeerPulls();
        } else if (ours instanceof PeerPulls) {
            return new Pull(local);
        } else if (ours instanceof Conflict conflict) {
            return new Conflict(conflict.winner().opposite(), conflict.resolved(), conflict.loserCopy());
        }
        return ours;
    }
}
