package dev.mirror.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NetworkPathsTest {
    private static final String NAME_255 = "a".repeat(255);

    static Stream<Rejected> rejectedPaths() {
        return Stream.of(
                new Rejected("An empty path names the root itself", "", "path is empty"),
                new Rejected("A leading slash makes the path absolute", "/etc/passwd", "path is absolute"),
                new Rejected("A lone slash is absolute", "/", "path is absolute"),
                new Rejected("A trailing slash is not a name", "a/b/", "path ends with '/'"),
                new Rejected("Two slashes make an empty name", "a//b", "path has an empty name ('//')"),
                new Rejected("A '.' name is refused, not normalised", "a/./b", "path has a '.' name"),
                new Rejected("A lone '.' is refused", ".", "path has a '.' name"),
                new Rejected("A '..' name climbs out", "../escape", "path has a '..' name"),
                new Rejected("A '..' deeper down climbs out too", "a/b/../../../escape", "path has a '..' name"),
                new Rejected("NUL ends a C string early", "a\0b", "path contains NUL"),
                new Rejected("A backslash is a separator on Windows", "a\\..\\b", "path contains a backslash"),
                new Rejected("A newline is a control character", "a\nb", "path contains control character U+000A"),
                new Rejected("An escape sequence could rewrite the terminal", "a\u001b[2Jb",
                        "path contains control character U+001B"),
                new Rejected("DEL is a control character", "a\u007f", "path contains control character U+007F"),
                new Rejected("C1 controls are control characters", "a\u0085", "path contains control character U+0085"),
                new Rejected("U+FFFD means the sender's name was not UTF-8", "caf\uFFFD.txt",
                        "path contains U+FFFD (a name that was not valid UTF-8)"),
                new Rejected("A lone high surrogate has no UTF-8 form", "a\uD800b",
                        "path contains an unpaired surrogate (not Unicode)"),
                new Rejected("A lone low surrogate has no UTF-8 form", "a\uDC00",
                        "path contains an unpaired surrogate (not Unicode)"),
                new Rejected("The state directory is mirror's own", ".mirror", "path is inside .mirror, "
                        + "mirror's state directory"),
                new Rejected("Nothing inside the state directory either", ".mirror/identity/key.pem",
                        "path is inside .mirror, mirror's state directory"),
                new Rejected("A name over 255 bytes is too long", "d/" + "a".repeat(256),
                        "name is longer than 255 bytes in UTF-8 (256)"),
                new Rejected("Length counts UTF-8 bytes, not characters", "é".repeat(128),
                        "name is longer than 255 bytes in UTF-8 (256)"),
                new Rejected("A path over 4000 bytes is too long", (NAME_255 + "/").repeat(15) + "a".repeat(161),
                        "path is longer than 4000 bytes in UTF-8 (4001)"));
    }

    static Stream<Accepted> acceptedPaths() {
        return Stream.of(
                new Accepted("A plain name", "notes.txt"),
                new Accepted("Non-ASCII names in UTF-8", "é/ü.txt"),
                new Accepted("Characters outside the BMP (surrogate pairs)", "photos/\uD83D\uDE00.jpg"),
                new Accepted("Names with spaces", "My Documents/a file .txt"),
                new Accepted("A deep path", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p.txt"),
                new Accepted("Dots inside a name", "..hidden/a..b/.../x."),
                new Accepted("A name that only starts like the state directory", ".mirrorignore"),
                new Accepted("The state directory's name below the root", "backup/.mirror/index"),
                new Accepted("A name of exactly 255 bytes", NAME_255),
                new Accepted("A path of exactly 4000 bytes", (NAME_255 + "/").repeat(15) + "a".repeat(160)));
    }

    static Stream<Rejected> rejectedSymlinkTargets() {
        return Stream.of(
                new Rejected("An empty target", "", "symlink target is empty"),
                new Rejected("NUL in a target", "a\0b", "symlink target contains NUL"),
                new Rejected("A control character in a target", "a\tb", "symlink target contains control character "
                        + "U+0009"),
                new Rejected("U+FFFD in a target", "\uFFFD", "symlink target contains U+FFFD (a name that was not "
                        + "valid UTF-8)"),
                new Rejected("A repeated slash would not survive as sent", "a//b", "symlink target has a repeated or "
                        + "trailing '/'"),
                new Rejected("A trailing slash would not survive as sent", "dir/", "symlink target has a repeated or "
                        + "trailing '/'"),
                new Rejected("A target over 4095 bytes", "a".repeat(4096), "symlink target is longer than 4095 bytes "
                        + "in UTF-8 (4096)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedPaths")
    void rejectsHostilePathWithItsReason(Rejected c) {
        PathRejectedException e = assertThrows(PathRejectedException.class, () -> NetworkPaths.check(c.input));

        assertEquals(c.reason, e.reason());
        assertEquals(c.input, e.path());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedPaths")
    void acceptsOrdinaryPathUnchanged(Accepted c) throws PathRejectedException {
        assertEquals(c.input, NetworkPaths.check(c.input));
    }

    /** Every case above whose directory passes on its own: checking only its last name must give the same answer. */
    static Stream<String> pathsOfCheckedDirectories() {
        return Stream.concat(rejectedPaths().map(c -> c.input), acceptedPaths().map(c -> c.input))
                .filter(path -> {
                    int slash = path.lastIndexOf('/');
                    if (slash <= 0) {
                        return slash < 0;
                    }
                    try {
                        NetworkPaths.check(path.substring(0, slash));
                        return true;
                    } catch (PathRejectedException e) {
                        return false;
                    }
                });
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("pathsOfCheckedDirectories")
    void checkingTheLastNameOfACheckedDirectoryAnswersAsCheckingItAll(String path) {
        int lastStart = path.lastIndexOf('/') + 1;
        int parentBytes = lastStart == 0 ? 0
                : path.substring(0, lastStart - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        String whole = outcome(() -> NetworkPaths.check(path));

        assertEquals(whole, outcome(() -> NetworkPaths.checkLastName(path, lastStart, parentBytes)));
    }

    private interface Check {
        String run() throws PathRejectedException;
    }

    private static String outcome(Check check) {
        try {
            return "accepted " + check.run();
        } catch (PathRejectedException e) {
            return "rejected " + e.path() + ": " + e.reason();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedSymlinkTargets")
    void rejectsSymlinkTargetThatCannotBeStoredAsSent(Rejected c) {
        PathRejectedException e = assertThrows(PathRejectedException.class,
                () -> NetworkPaths.checkSymlinkTarget("link", c.input));

        assertEquals(c.reason, e.reason());
        assertEquals("link", e.path());
    }

    @Test
    void acceptsSymlinkTargetsThatLeaveTheFolderBecauseTheyAreNeverFollowed() throws PathRejectedException {
        for (String target : new String[] {"/etc/passwd", "../../outside", "é/ü.txt", ".", "a\\b"}) {
            assertEquals(target, NetworkPaths.checkSymlinkTarget("link", target));
        }
    }

    @Test
    void messageShowsControlCharactersEscapedAndCutsLongPaths() {
        PathRejectedException nul = assertThrows(PathRejectedException.class, () -> NetworkPaths.check("a\0\"b"));
        PathRejectedException tooLong = assertThrows(PathRejectedException.class,
                () -> NetworkPaths.check("a".repeat(5000)));

        assertEquals("Refused the path \"a\\u0000\\u0022b\": path contains NUL.", nul.getMessage());
        assertEquals("Refused the path \"" + "a".repeat(200) + "…(5000 characters)\": path is longer than 4000 bytes "
                + "in UTF-8 (5000).", tooLong.getMessage());
    }

    record Rejected(String description, String input, String reason) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Accepted(String description, String input) {
        @Override
        public String toString() {
            return description;
        }
    }
}
