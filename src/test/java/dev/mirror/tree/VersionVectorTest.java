package dev.mirror.tree;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VersionVectorTest {
    private static final long A = 1;
    private static final long B = 2;
    /** Sorts after A and B as an unsigned number, though negative as a long. */
    private static final long HIGH = 0xF000_0000_0000_0000L;

    record Case(String sentence, VersionVector left, VersionVector right, VersionVector.Ordering expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    static Stream<Case> orderings() {
        return Stream.of(
                new Case("two empty vectors are equal", v(), v(), VersionVector.Ordering.EQUAL),
                new Case("the same counters are equal", v(A, 3, B, 1), v(A, 3, B, 1), VersionVector.Ordering.EQUAL),
                new Case("a vector with more from one device is newer", v(A, 4), v(A, 3), VersionVector.Ordering.NEWER),
                new Case("a vector that lacks a device is older", v(A, 3), v(A, 3, B, 1), VersionVector.Ordering.OLDER),
                new Case("anything is newer than nothing", v(B, 1), v(), VersionVector.Ordering.NEWER),
                new Case("changes on two devices are concurrent", v(A, 4, B, 1), v(A, 3, B, 2),
                        VersionVector.Ordering.CONCURRENT),
                new Case("disjoint devices are concurrent", v(A, 1), v(B, 1), VersionVector.Ordering.CONCURRENT),
                new Case("devices compare as unsigned numbers", v(HIGH, 2, A, 1), v(A, 1, HIGH, 1),
                        VersionVector.Ordering.NEWER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderings")
    void comparesAsVersionVectorsDo(Case c) {
        assertEquals(c.expected(), c.left().compare(c.right()));
        VersionVector.Ordering mirrored = switch (c.expected()) {
            case NEWER -> VersionVector.Ordering.OLDER;
            case OLDER -> VersionVector.Ordering.NEWER;
            default -> c.expected();
        };
        assertEquals(mirrored, c.right().compare(c.left()), "the other way round");
    }

    @Test
    void bumpOrdersAfterEveryCounterSeenSoFar() {
        VersionVector seenFromB = v(A, 1, B, 7);
        VersionVector bumped = seenFromB.bumped(A);
        assertEquals(8, bumped.counterOf(A), "a Lamport clock: one more than the largest counter");
        assertEquals(VersionVector.Ordering.NEWER, bumped.compare(seenFromB));
        assertEquals(1, VersionVector.EMPTY.bumped(B).counterOf(B));
    }

    @Test
    void mergeTakesTheLargerCounterOfEachDevice() {
        VersionVector merged = v(A, 3, B, 1).merged(v(A, 2, B, 5, HIGH, 1));
        assertEquals(v(A, 3, B, 5, HIGH, 1), merged);
        assertEquals(VersionVector.Ordering.NEWER, merged.compare(v(A, 3, B, 1)));
    }

    @Test
    void buildingInAnyOrderGivesTheSameSortedVector() {
        VersionVector forwards = VersionVector.of(new long[] {A, B, HIGH}, new long[] {1, 2, 3});
        VersionVector backwards = VersionVector.of(new long[] {HIGH, B, A}, new long[] {3, 2, 1});
        assertEquals(forwards, backwards);
        assertEquals(A, forwards.device(0));
        assertEquals(HIGH, forwards.device(2));
    }

    @Test
    void zeroCountersAreDroppedAndNegativeOnesRefused() {
        assertEquals(v(A, 1), VersionVector.of(new long[] {A, B}, new long[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> VersionVector.of(new long[] {A}, new long[] {-1}));
    }

    private static VersionVector v(long... pairs) {
        long[] devices = new long[pairs.length / 2];
        long[] counters = new long[pairs.length / 2];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = pairs[2 * i];
            counters[i] = pairs[2 * i + 1];
        }
        return VersionVector.of(devices, counters);
    }
}
