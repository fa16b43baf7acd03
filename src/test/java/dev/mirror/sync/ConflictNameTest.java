package dev.mirror.sync;

import static dev.mirror.sync.Fixtures.A;
import static dev.mirror.sync.Fixtures.B;
import static dev.mirror.sync.Fixtures.C;
import static dev.mirror.sync.Fixtures.EARLIER;
import static dev.mirror.sync.Fixtures.nanos;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.tree.TreePath;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConflictNameTest {
    /** A new seed every run, shown in the test name, so the search keeps exploring; rerun a failure with it. */
    private static final long FRESH_SEED = ThreadLocalRandom.current().nextLong();
    private static final String MARK = ".sync-conflict-20240305-141516-CEIRCEI";

    record Case(String sentence, String name, long mtimeNanos, DeviceId device, String expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    static Stream<Case> names() {
        return Stream.of(
                c("the marker goes before the extension", "report.txt", "report" + MARK + ".txt"),
                c("é in a name is kept as it is", "café.txt", "café" + MARK + ".txt"),
                c("only the last extension moves: archive.tar.gz", "archive.tar.gz", "archive.tar" + MARK + ".gz"),
                c("the extension keeps its case", "Photo.JPG", "Photo" + MARK + ".JPG"),
                c("a dotfile keeps its whole name in front", ".bashrc", ".bashrc" + MARK),
                c("a dotfile with another dot has an extension", ".config.json", ".config" + MARK + ".json"),
                c("a name without a dot gets no extension", "Makefile", "Makefile" + MARK),
                c("a trailing dot is an empty extension", "notes.", "notes" + MARK + "."),
                c("a name of dots only: the last one is the extension", "...", ".." + MARK + "."),
                c("a copy's marker is replaced, not nested",
                        "report.sync-conflict-20240101-000000-O53XO53.txt", "report" + MARK + ".txt"),
                c("a dotfile copy's marker is replaced", ".bashrc.sync-conflict-20240101-000000-O53XO53",
                        ".bashrc" + MARK),
                c("an extensionless copy's marker is replaced", "Makefile.sync-conflict-20240101-000000-O53XO53",
                        "Makefile" + MARK),
                c("a multi-dot copy's marker is replaced", "archive.tar.sync-conflict-20240101-000000-O53XO53.gz",
                        "archive.tar" + MARK + ".gz"),
                c("a copy whose marker would not change nests once rather than take its own name",
                        "report" + MARK + ".txt", "report" + MARK + MARK + ".txt"),
                c("a name that only looks like a copy is an ordinary name",
                        "report.sync-conflict-2024-x.txt", "report.sync-conflict-2024-x" + MARK + ".txt"),
                c("a name that is only a marker keeps it and gets another",
                        ".sync-conflict-20240101-000000-O53XO53", ".sync-conflict-20240101-000000-O53XO53" + MARK),
                new Case("the time is the mtime's second in UTC, never rounded up", "a.txt",
                        nanos("2024-03-05T14:15:16.999999999Z"), A, "a" + MARK + ".txt"),
                new Case("a symlink's zero mtime names the epoch", "link", 0, A,
                        "link.sync-conflict-19700101-000000-CEIRCEI"),
                new Case("a time before 1970 counts back from the epoch", "old.txt", -1, A,
                        "old.sync-conflict-19691231-235959-CEIRCEI.txt"),
                new Case("the device is the first 7 characters of its ID", "a.txt", EARLIER, B,
                        "a.sync-conflict-20240305-141516-53XO53X.txt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void namesTheCopy(Case c) {
        assertEquals(c.expected(), ConflictName.of(c.name(), c.mtimeNanos(), c.device().shortId()));
    }

    @Test
    void aLongNameLosesTheEndOfItsBaseButNeverTheMarkerOrExtension() {
        String name = "x".repeat(251) + ".txt";
        String copy = ConflictName.of(name, EARLIER, A.shortId());
        assertEquals(255, utf8(copy).length);
        assertEquals("x".repeat(255 - MARK.length() - 4) + MARK + ".txt", copy);
    }

    @Test
    void aLongNameIsCutBetweenCharactersNeverInsideOne() {
        for (String character : new String[] {"é", "€", "😀"}) {
            String name = character.repeat(250 / utf8(character).length) + ".txt";
            String copy = ConflictName.of(name, EARLIER, A.shortId());
            byte[] bytes = utf8(copy);
            assertTrue(bytes.length <= 255 && bytes.length > 255 - utf8(character).length, copy);
            assertArrayEquals(bytes, utf8(new String(bytes, StandardCharsets.UTF_8)), "valid UTF-8: " + copy);
            assertTrue(copy.endsWith(MARK + ".txt"), copy);
        }
    }

    @Test
    void anExtensionTooLongToLeaveRoomForTheBaseCountsAsPartOfIt() {
        String name = "x." + "e".repeat(253);
        String copy = ConflictName.of(name, EARLIER, A.shortId());
        assertEquals(name.substring(0, 255 - MARK.length()) + MARK, copy);
    }

    @Test
    void aFullLengthCopyWhoseMarkerWouldNotChangeStillGetsAnotherName() {
        String name = "x".repeat(255 - MARK.length() - 4) + MARK + ".txt";
        String copy = ConflictName.of(name, EARLIER, A.shortId());
        assertNotEquals(name, copy);
        assertTrue(utf8(copy).length <= 255, copy);
        assertTrue(copy.endsWith(MARK + ".txt"), copy);
    }

    @Test
    void recognisesConflictCopies() {
        assertTrue(ConflictName.isConflictCopy("report" + MARK + ".txt"));
        assertTrue(ConflictName.isConflictCopy(".bashrc" + MARK));
        assertFalse(ConflictName.isConflictCopy("report.txt"));
        assertFalse(ConflictName.isConflictCopy("report.sync-conflict-2024-x.txt"));
        assertFalse(ConflictName.isConflictCopy(MARK), "a marker alone is a dotfile's name");
    }

    @Test
    void refusesWhatIsNotAName() {
        assertThrows(IllegalArgumentException.class, () -> ConflictName.of("", 0, A.shortId()));
        assertThrows(IllegalArgumentException.class, () -> ConflictName.of("a/b", 0, A.shortId()));
    }

    @Test
    void theShortFormFromAShortIdIsTheDeviceIdsOwn() {
        for (DeviceId device : new DeviceId[] {A, B, C}) {
            assertEquals(device.shortForm(), ConflictName.deviceShortForm(device.shortId()));
        }
        Random random = new Random(FRESH_SEED);
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = new byte[Hash.BYTES];
            random.nextBytes(bytes);
            DeviceId device = DeviceId.of(Hash.of(bytes));
            assertEquals(device.shortForm(), ConflictName.deviceShortForm(device.shortId()),
                    "seed " + FRESH_SEED + ", " + device);
        }
    }

    static LongStream seeds() {
        return LongStream.of(1, 2, 3, FRESH_SEED);
    }

    /**
     * Any name gives a valid name of at most 255 bytes, other than itself, and a copy of a copy is named as a copy of
     * the original would be: conflicts of conflicts never grow names.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomNamesGiveValidBoundedNamesThatNeverNest(long seed) {
        Random random = new Random(seed);
        String[] pieces = {"a", "Z", ".", ".", "é", "€", "😀", "-", " ", "sync-conflict"};
        for (int i = 0; i < 2000; i++) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(random.nextBoolean() ? 8 : 200);
            while (name.length() < length) {
                name.append(pieces[random.nextInt(pieces.length)]);
            }
            if (name.toString().equals(".") || name.toString().equals("..")) {
                continue;
            }
            String where = "seed " + seed + ", name '" + name + "'";
            long first = random.nextLong();
            long second = random.nextLong();
            String copy = ConflictName.of(name.toString(), EARLIER, first);
            assertTrue(utf8(copy).length <= 255, where + " gave " + copy);
            assertEquals(copy, TreePath.ROOT.child(copy).name(), where);
            assertNotEquals(name.toString(), copy, where);
            assertTrue(ConflictName.isConflictCopy(copy), where + " gave " + copy);
            assertEquals(ConflictName.of(name.toString(), EARLIER, second), ConflictName.of(copy, EARLIER, second),
                    where + ", copied again");
        }
    }

    private static Case c(String sentence, String name, String expected) {
        return new Case(sentence, name, EARLIER, A, expected);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
