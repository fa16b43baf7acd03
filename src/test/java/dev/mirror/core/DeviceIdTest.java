package dev.mirror.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceIdTest {
    /** The worked example of docs/identity.md: the hash whose bytes are 0x00, 0x01, ..., 0x1f. */
    private static final String WORKED_EXAMPLE = "AAAQEAY-EAUDAO5-CAJBIFQ-YDIOB4X-IBCEQTC-QKRMFYM-YDENBWH-A5DYPQS";
    private static final int IDS_PER_SEED = 5;
    /** Index in the compact text of the 52nd base32 character, whose low 4 bits are padding. */
    private static final int LAST_DATA_CHARACTER = 54;

    @Test
    void workedExampleFromDocsFormatsByteForByte() {
        assertEquals(WORKED_EXAMPLE, DeviceId.of(Hash.of(countingBytes())).toString());
        // A second fixed point: the SHA-256 of no bytes, e3b0c442...b855.
        assertEquals("4OYMIQU-Y7QOBJ5-GX36TEJ-S35ZEQN-T24QPEM-SNZGTFO-ESWMRW6-CSXBKQM",
                DeviceId.of(Hash.sha256(new byte[0])).toString());
    }

    @Test
    void shortFormIsFirstSevenCharactersAndShortIdFirstEightBytesBigEndian() {
        DeviceId id = DeviceId.parse(WORKED_EXAMPLE);
        assertEquals("AAAQEAY", id.shortForm());
        assertEquals(0x0001020304050607L, id.shortId());
        byte[] high = new byte[Hash.BYTES];
        high[0] = (byte) 0xff;
        assertEquals(0xff00000000000000L, DeviceId.of(Hash.of(high)).shortId());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void parseOfToStringGivesTheSameId(long seed) {
        Random random = new Random(seed);
        for (int n = 0; n < 100; n++) {
            DeviceId id = randomId(random);
            DeviceId parsed = DeviceId.parse(id.toString());
            assertEquals(id, parsed);
            assertEquals(id.hash(), parsed.hash());
            assertEquals(id.toString(), parsed.toString());
        }
    }

    @Test
    void parseAcceptsLowerCaseAndMissingOrExtraSeparators() {
        DeviceId expected = DeviceId.parse(WORKED_EXAMPLE);
        assertEquals(expected, DeviceId.parse(WORKED_EXAMPLE.toLowerCase(Locale.ROOT)));
        assertEquals(expected, DeviceId.parse(WORKED_EXAMPLE.replace("-", "")));
        assertEquals(expected, DeviceId.parse(WORKED_EXAMPLE.replace('-', ' ')));
        assertEquals(expected, DeviceId.parse("  aaaqeay EAUDAO5-CAJB-IFQ YDIOB4XIBCEQTCQKRMFYMYDENBWHA5DYPQS\n"));
        assertEquals(expected, DeviceId.parse(WORKED_EXAMPLE.replace('-', '\u00a0')));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everySingleSubstitutionIsCaughtByItsGroupsCheckCharacter(long seed) {
        Random random = new Random(seed);
        for (int n = 0; n < IDS_PER_SEED; n++) {
            String compact = randomId(random).toString().replace("-", "");
            for (int position = 0; position < DeviceId.LENGTH; position++) {
                for (char c : DeviceId.ALPHABET.toCharArray()) {
                    if (c == compact.charAt(position)) {
                        continue;
                    }
                    String typo = compact.substring(0, position) + c + compact.substring(position + 1);
                    String message = assertThrows(IllegalArgumentException.class, () -> DeviceId.parse(typo),
                            typo).getMessage();
                    String group = "check character of group " + (position / 14 + 1) + " is wrong";
                    assertTrue(message.startsWith(group), typo + ": " + message);
                }
            }
        }
    }

    /**
     * Luhn mod 32 catches every swap of two adjacent different characters within a group (check character
     * included), except a swap of 'A' (value 0) with '7' (value 31): 0 + 2*31 and 31 + 2*0 agree modulo 32 once
     * 62 is folded to 1 + 30. Such a swap in front of the last check character is still caught, by the padding.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void adjacentTranspositionsAreCaughtExceptAWithSeven(long seed) {
        Random random = new Random(seed);
        for (int n = 0; n < 20 * IDS_PER_SEED; n++) {
            String compact = randomId(random).toString().replace("-", "");
            for (int position = 0; position < DeviceId.LENGTH - 1; position++) {
                char left = compact.charAt(position);
                char right = compact.charAt(position + 1);
                if (left == right || position % 14 == 13) {
                    continue;  // No change, or the pair straddles two groups (two checks, not one).
                }
                String swapped = compact.substring(0, position) + right + left + compact.substring(position + 2);
                if (isAWithSeven(left, right) && "AQ".indexOf(swapped.charAt(LAST_DATA_CHARACTER)) < 0) {
                    // Luhn misses it, but the last data character carries padding bits that must be zero.
                    String message = assertThrows(IllegalArgumentException.class,
                            () -> DeviceId.parse(swapped), swapped).getMessage();
                    assertTrue(message.startsWith("device ID cannot end its last group with '7'"), message);
                } else if (isAWithSeven(left, right)) {
                    assertNotEquals(DeviceId.parse(compact), DeviceId.parse(swapped), swapped);
                } else {
                    String message = assertThrows(IllegalArgumentException.class,
                            () -> DeviceId.parse(swapped), swapped).getMessage();
                    assertTrue(message.startsWith("check character of group " + (position / 14 + 1)), message);
                }
            }
        }
    }

    @Test
    void withinTheDataEveryAdjacentSwapButAWithSevenChangesTheCheckCharacter() {
        String background = "ABCDEFGHIJKLM";
        for (int position = 0; position < background.length() - 1; position++) {
            for (char left : DeviceId.ALPHABET.toCharArray()) {
                for (char right : DeviceId.ALPHABET.toCharArray()) {
                    if (left == right) {
                        continue;
                    }
                    String data = background.substring(0, position) + left + right + background.substring(position + 2);
                    String swapped =
                            background.substring(0, position) + right + left + background.substring(position + 2);
                    assertEquals(isAWithSeven(left, right),
                            DeviceId.checkCharacter(data) == DeviceId.checkCharacter(swapped), data);
                }
            }
        }
    }

    record Case(String description, String input, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> badInputs() {
        return Stream.of(
                new Case("one character short", WORKED_EXAMPLE.substring(0, WORKED_EXAMPLE.length() - 1),
                        "device ID has 55 characters, expected 56"),
                new Case("one character too many", WORKED_EXAMPLE + "A",
                        "device ID has 57 characters, expected 56"),
                new Case("nothing but separators", " - ", "device ID has 0 characters, expected 56"),
                new Case("a digit one typed for the letter I", WORKED_EXAMPLE.replace("IFQ", "1FQ"),
                        "'1' is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("a digit zero typed for the letter O", WORKED_EXAMPLE.replace("AO5", "A05"),
                        "'0' is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("an accented letter, with its code point", "é" + WORKED_EXAMPLE.substring(1),
                        "'é' (U+00E9) is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("a dotless i is not taken for I", WORKED_EXAMPLE.replace("IFQ", "ıFQ"),
                        "'ı' (U+0131) is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("an invisible zero-width space", "\u200b" + WORKED_EXAMPLE,
                        "'\u200b' (U+200B) is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("a bad character wins over a bad length", "1AB",
                        "'1' is not a device ID character (base32 uses A-Z and 2-7)"),
                new Case("K typed as L in group 3, shown as printed", WORKED_EXAMPLE.replace("QKRMFYM", "qlrmfym"),
                        "check character of group 3 is wrong: a character was mistyped in 'IBCEQTC-QLRMFYM'"),
                new Case("a wrong check character in group 1", WORKED_EXAMPLE.replace("AO5", "AO6"),
                        "check character of group 1 is wrong: a character was mistyped in 'AAAQEAY-EAUDAO6'"),
                new Case("non-zero padding bits behind a valid check character", nonZeroPadding(),
                        "device ID cannot end its last group with 'R' before the check character: "
                                + "only 'A' or 'Q' can stand there (the last 4 bits are padding)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsRejectedWithAnExactMessage(Case c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceId.parse(c.input()));
        assertEquals(c.message(), e.getMessage());
    }

    @Test
    void ordersByUnsignedBytesAndEqualsByHash() {
        byte[] low = new byte[Hash.BYTES];
        low[0] = 0x7f;
        byte[] high = new byte[Hash.BYTES];
        high[0] = (byte) 0x80;
        DeviceId lowId = DeviceId.of(Hash.of(low));
        DeviceId highId = DeviceId.of(Hash.of(high));
        assertTrue(lowId.compareTo(highId) < 0);
        assertTrue(highId.compareTo(lowId) > 0);
        assertEquals(0, lowId.compareTo(DeviceId.of(Hash.of(low))));
        assertEquals(lowId, DeviceId.of(Hash.of(low)));
        assertEquals(lowId.hashCode(), DeviceId.of(Hash.of(low)).hashCode());
        assertNotEquals(lowId, highId);
    }

    static LongStream seeds() {
        return LongStream.of(1, 2, 20240601, new SecureRandom().nextLong());
    }

    private static DeviceId randomId(Random random) {
        byte[] bytes = new byte[Hash.BYTES];
        random.nextBytes(bytes);
        return DeviceId.of(Hash.of(bytes));
    }

    private static boolean isAWithSeven(char left, char right) {
        return (left == 'A' && right == '7') || (left == '7' && right == 'A');
    }

    private static byte[] countingBytes() {
        byte[] bytes = new byte[Hash.BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** The worked example with its last data character Q (value 16) turned into R (17), check character fixed. */
    private static String nonZeroPadding() {
        String compact = WORKED_EXAMPLE.replace("-", "");
        String lastGroup = compact.substring(42, 54) + "R";
        assertEquals("YDENBWHA5DYPR", lastGroup);
        return compact.substring(0, 42) + lastGroup + DeviceId.checkCharacter(lastGroup);
    }
}
