package dev.mirror.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VersionNamesTest {
    private static final LocalDateTime TIME = LocalDateTime.of(2025, 1, 2, 15, 4, 5);
    private static final String TAG = "~20250102-150405";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("The tag goes before the extension", "report.pdf", 1, "report" + TAG + ".pdf"),
                new Case("Only the last extension stays last", "archive.tar.gz", 1, "archive.tar" + TAG + ".gz"),
                new Case("A name without a dot gets the tag at its end", "Makefile", 1, "Makefile" + TAG),
                new Case("A leading dot is not an extension", ".bashrc", 1, ".bashrc" + TAG),
                new Case("A second version in the same second is numbered", "report.pdf", 2,
                        "report" + TAG + "-2.pdf"),
                new Case("A long name is cut to fit 255 bytes", "a".repeat(250) + ".txt", 1,
                        "a".repeat(235) + TAG + ".txt"),
                new Case("A long name is cut between characters, never inside one", "é".repeat(125) + ".txt", 1,
                        "é".repeat(117) + TAG + ".txt"),
                new Case("An extension too long to keep is cut like the rest of the name", "a." + "b".repeat(250), 1,
                        "a." + "b".repeat(237) + TAG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void namesKeptVersion(Case c) {
        String name = VersionNames.of(c.name, TIME, c.attempt);

        assertEquals(c.expected, name);
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= NetworkPaths.MAX_NAME_BYTES, name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keptNameMatchesItsOriginalAndTellsWhen(Case c) {
        assertEquals(Optional.of(new VersionNames.Tag(TIME, c.attempt)), VersionNames.match(c.expected, c.name));
    }

    @Test
    void keptNameOfAnotherNameDoesNotMatch() {
        assertEquals(Optional.empty(), VersionNames.match("report" + TAG + ".pdf", "report.txt"));
        assertEquals(Optional.empty(), VersionNames.match("report" + TAG + ".pdf", "report"));
        assertEquals(Optional.empty(), VersionNames.match("report.pdf", "report.pdf"));
        assertEquals(Optional.empty(), VersionNames.match("notes" + TAG + ".meta", "notes"));
        assertEquals(Optional.empty(), VersionNames.match("report~20251399-150405.pdf", "report.pdf"));
    }

    @Test
    void nameHoldingATagOfItsOwnMatchesOnlyItsRealTag() {
        String name = "x" + TAG + ".txt";
        String kept = VersionNames.of(name, TIME.plusDays(1), 3);

        assertEquals(Optional.of(new VersionNames.Tag(TIME.plusDays(1), 3)), VersionNames.match(kept, name));
        assertEquals(Optional.empty(), VersionNames.match(kept, "x.txt"));
    }

    record Case(String description, String name, int attempt, String expected) {
        @Override
        public String toString() {
            return description;
        }
    }
}
