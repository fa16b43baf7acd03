package dev.mirror.tree;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * A version vector: for each device that changed a path, how many changes it has seen. Immutable and thread-safe.
 *
 * <p>Devices are the 64-bit short IDs of device IDs, kept sorted as unsigned numbers so that equal vectors encode
 * and hash identically. A counter is never zero: an absent device means zero.
 */
public final class VersionVector {
    public static final VersionVector EMPTY = new VersionVector(new long[0], new long[0]);

    /** How two vectors relate, seen from {@code this}. */
    public enum Ordering { EQUAL, OLDER, NEWER, CONCURRENT }

    private final long[] devices;
    private final long[] counters;

    private VersionVector(long[] devices, long[] counters) {
        this.devices = devices;
        this.counters = counters;
    }

    /** Builds a vector from parallel arrays in any order; zero counters are dropped. */
    public static VersionVector of(long[] devices, long[] counters) {
        if (devices.length != counters.length) {
            throw new IllegalArgumentException(devices.length + " devices but " + counters.length + " counters");
        }
        VersionVector result = EMPTY;
        for (int i = 0; i < devices.length; i++) {
            if (counters[i] < 0) {
                throw new IllegalArgumentException("negative counter " + counters[i]);
            }
            result = result.with(devices[i], Math.max(result.counterOf(devices[i]), counters[i]));
        }
        return result;
    }

    public int size() {
        return devices.length;
    }

    public long device(int index) {
        return devices[index];
    }

    public long counter(int index) {
        return counters[index];
    }

    /** This vector's counter for {@code device}, zero if absent. */
    public long counterOf(long device) {
        int i = indexOf(device);
        return i >= 0 ? counters[i] : 0;
    }

    /**
     * The vector after {@code device} made a change: its counter becomes one more than the largest counter here
     * (a Lamport clock), so a change made after seeing another device's change always orders after it, even
     * if this device's own counter was lost with its index.
     */
    public VersionVector bumped(long device) {
        long max = 0;
        for (long c : counters) {
            max = Math.max(max, c);
        }
        return with(device, max + 1);
    }

    /** The element-wise maximum: what a device knows after seeing both histories. */
    public VersionVector merged(VersionVector other) {
        VersionVector result = this;
        for (int i = 0; i < other.devices.length; i++) {
            if (other.counters[i] > result.counterOf(other.devices[i])) {
                result = result.with(other.devices[i], other.counters[i]);
            }
        }
        return result;
    }

    public Ordering compare(VersionVector other) {
        boolean someGreater = false;
        boolean someLess = false;
        for (int i = 0; i < devices.length; i++) {
            long theirs = other.counterOf(devices[i]);
            someGreater |= counters[i] > theirs;
            someLess |= counters[i] < theirs;
        }
        for (int i = 0; i < other.devices.length; i++) {
            someLess |= other.counters[i] > counterOf(other.devices[i]);
        }
        if (someGreater && someLess) {
            return Ordering.CONCURRENT;
        }
        return someGreater ? Ordering.NEWER : someLess ? Ordering.OLDER : Ordering.EQUAL;
    }

    private VersionVector with(long device, long counter) {
        int i = indexOf(device);
        if (i >= 0) {
            long[] newCounters = counters.clone();
            newCounters[i] = counter;
            return counter == 0 ? without(i) : new VersionVector(devices, newCounters);
        }
        if (counter == 0) {
            return this;
        }
        int at = -i - 1;
        long[] newDevices = new long[devices.length + 1];
        long[] newCounters = new long[counters.length + 1];
        System.arraycopy(devices, 0, newDevices, 0, at);
        System.arraycopy(counters, 0, newCounters, 0, at);
        newDevices[at] = device;
        newCounters[at] = counter;
        System.arraycopy(devices, at, newDevices, at + 1, devices.length - at);
        System.arraycopy(counters, at, newCounters, at + 1, counters.length - at);
        return new VersionVector(newDevices, newCounters);
    }

    private VersionVector without(int index) {
        long[] newDevices = new long[devices.length - 1];
        long[] newCounters = new long[counters.length - 1];
        System.arraycopy(devices, 0, newDevices, 0, index);
        System.arraycopy(counters, 0, newCounters, 0, index);
        System.arraycopy(devices, index + 1, newDevices, index, devices.length - index - 1);
        System.arraycopy(counters, index + 1, newCounters, index, counters.length - index - 1);
        return new VersionVector(newDevices, newCounters);
    }

    /** Binary search in unsigned order; returns -(insertion point) - 1 when absent. */
    private int indexOf(long device) {
        int low = 0;
        int high = devices.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = Long.compareUnsigned(devices[mid], device);
            if (cmp < 0) {
                low = mid + 1;
            } else if (cmp > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector other
                && Arrays.equals(devices, other.devices) && Arrays.equals(counters, other.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(devices) + Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ", "{", "}");
        for (int i = 0; i < devices.length; i++) {
            joiner.add(String.format("%016x:%d", devices[i], counters[i]));
        }
        return joiner.toString();
    }
}
