package dev.mirror.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IgnoreRulesTest {
    private static final boolean DIR = true;
    private static final boolean FILE = false;

    static Stream<Case> cases() {
        return Stream.of(
                // Lines: blanks, comments, escapes, spaces, line endings, encoding.
                new Case("Blank lines and comments ignore nothing", "\n# build\n\n   \n", "build", FILE,
                        false),
                new Case("A comment needs no space after the hash", "#foo", "#foo", FILE, false),
                new Case("An escaped hash matches a name starting with a hash", "\\#foo", "#foo", FILE, true),
                new Case("A hash after the start is an ordinary character", "a#b", "a#b", FILE, true),
                new Case("An escaped bang matches a name starting with a bang", "\\!keep", "!keep", FILE, true),
                new Case("Unescaped trailing spaces are dropped", "foo   ", "foo", FILE, true),
                new Case("A dropped trailing space no longer matches a name ending in one", "foo ", "foo ", FILE,
                        false),
                new Case("A backslash keeps one trailing space", "foo\\ ", "foo ", FILE, true),
                new Case("An escaped trailing space is required", "foo\\ ", "foo", FILE, false),
                new Case("Leading spaces are part of the pattern", " foo", "foo", FILE, false),
                new Case("A trailing tab is kept, as in git", "foo\t", "foo", FILE, false),
                new Case("CRLF line endings are accepted", "foo\r\nbar\r\n", "bar", FILE, true),
                new Case("A UTF-8 byte order mark is not part of the first pattern", "\uFEFFfoo\n", "foo", FILE, true),
                new Case("Non-ASCII patterns match non-ASCII names", "résumé.pdf", "docs/résumé.pdf", FILE, true),
                new Case("Matching is case-sensitive", "*.JPG", "photo.jpg", FILE, false),
                new Case("Directory patterns are case-sensitive too", "Build/", "build", DIR, false),

                // Negation.
                new Case("A bang re-includes a file an earlier pattern ignored", "*.log\n!keep.log", "keep.log", FILE,
                        false),
                new Case("A bang re-includes only what it matches", "*.log\n!keep.log", "other.log", FILE, true),
                new Case("The last matching pattern wins over an earlier bang", "!keep.log\n*.log", "keep.log", FILE,
                        true),
                new Case("Nothing inside an ignored directory can be re-included", "build/\n!build/keep.txt",
                        "build/keep.txt", FILE, true),
                new Case("Re-including the directory itself re-includes its files", "build/\n!build/", "build/a.o",
                        FILE, false),
                new Case("Files ignored by dir/* can be re-included", "build/*\n!build/keep.txt", "build/keep.txt",
                        FILE, false),
                new Case("A directory-only bang does not re-include a file", "*.d\n!keep.d/", "keep.d", FILE, true),
                new Case("A bang alone ignores and re-includes nothing", "!", "!", FILE, false),

                // Anchoring.
                new Case("A pattern without a slash matches at any depth", "foo", "a/b/foo", FILE, true),
                new Case("A leading slash anchors to the root", "/foo", "foo", FILE, true),
                new Case("A leading slash pattern does not match deeper", "/foo", "a/foo", FILE, false),
                new Case("A middle slash anchors to the root", "doc/frotz", "a/doc/frotz", FILE, false),
                new Case("A middle slash pattern matches from the root", "doc/frotz", "doc/frotz", DIR, true),
                new Case("A matched directory ignores everything inside it", "doc/frotz", "doc/frotz/a/b.txt", FILE,
                        true),
                new Case("A slash alone ignores nothing", "/", "a", DIR, false),

                // Directory-only patterns.
                new Case("A trailing slash matches a directory", "build/", "build", DIR, true),
                new Case("A trailing slash does not match a file", "build/", "build", FILE, false),
                new Case("A trailing slash pattern ignores files in such directories at any depth", "build/",
                        "a/build/out.o", FILE, true),
                new Case("A trailing slash does not stop a middle slash from anchoring", "a/build/", "x/a/build", DIR,
                        false),

                // Wildcards and bracket expressions.
                new Case("A star matches within a name at any depth", "*.log", "logs/app.log", FILE, true),
                new Case("A star matches names starting with a dot", "*", ".hidden", FILE, true),
                new Case("A star matches an empty prefix", "*.txt", ".txt", FILE, true),
                new Case("A star in an anchored pattern matches within one component", "a/*.c", "a/x.c", FILE, true),
                new Case("A star does not cross a slash", "a/*.c", "a/b/x.c", FILE, false),
                new Case("A question mark matches one character", "?.txt", "a.txt", FILE, true),
                new Case("A question mark does not match zero characters", "?.txt", ".txt", FILE, false),
                new Case("A question mark matches one non-ASCII letter", "caf?", "café", FILE, true),
                new Case("A question mark matches a character outside the BMP", "?.txt", "\uD83D\uDE00.txt", FILE,
                        true),
                new Case("A range matches a character inside it", "[a-c].txt", "b.txt", FILE, true),
                new Case("A range does not match a character outside it", "[a-c].txt", "d.txt", FILE, false),
                new Case("A range works over non-ASCII letters", "[à-ü].txt", "é.txt", FILE, true),
                new Case("[!abc] excludes its members", "[!abc].txt", "a.txt", FILE, false),
                new Case("[!abc] matches other characters", "[!abc].txt", "d.txt", FILE, true),
                new Case("[^abc] is the same as [!abc]", "[^abc].txt", "d.txt", FILE, true),
                new Case("A closing bracket first in a class is a member", "[]].txt", "].txt", FILE, true),
                new Case("A POSIX class matches its ASCII members", "v[[:digit:]]", "v7", FILE, true),
                new Case("An unclosed bracket matches nothing, not even its own text", "[abc", "[abc", FILE, false),
                new Case("An unclosed bracket after a star matches nothing", "*[", "a[", FILE, false),
                new Case("An unknown POSIX class matches nothing", "[[:vowel:]]x", "ax", FILE, false),
                new Case("An escaped star is literal", "\\*", "*", FILE, true),
                new Case("An escaped star does not match other names", "\\*", "a", FILE, false),
                new Case("A lone trailing backslash matches nothing", "foo\\", "foo", FILE, false),

                // Two or more stars.
                new Case("A leading **/ matches at any depth", "**/foo", "a/b/foo", FILE, true),
                new Case("A leading **/ also matches at the root", "**/foo", "foo", FILE, true),
                new Case("**/foo/bar matches bar directly under any foo", "**/foo/bar", "x/foo/bar", FILE, true),
                new Case("**/foo/bar does not match bar deeper under foo", "**/foo/bar", "foo/x/bar", FILE, false),
                new Case("A trailing /** matches everything inside", "abc/**", "abc/x/y", FILE, true),
                new Case("A trailing /** does not match the directory itself", "abc/**", "abc", DIR, false),
                new Case("Under a trailing /**, a bang re-includes a direct child", "abc/**\n!abc/keep", "abc/keep",
                        FILE, false),
                new Case("Under a trailing /**, a bang cannot re-include inside a subdirectory", "abc/**\n!abc/d/keep",
                        "abc/d/keep", FILE, true),
                new Case("A trailing /**/ matches only directories inside", "abc/**/", "abc/x", FILE, false),
                new Case("A middle /**/ matches zero directories", "a/**/b", "a/b", FILE, true),
                new Case("A middle /**/ matches several directories", "a/**/b", "a/x/y/b", FILE, true),
                new Case("A middle /**/ matches whole components only", "a/**/b", "a/xb", FILE, false),
                new Case("Three stars between slashes act as two", "a/***/b", "a/x/y/b", FILE, true),
                new Case("Two stars not between slashes act as one star", "foo/**bar", "foo/x/ybar", FILE, false),
                new Case("Two stars not between slashes still match within a name", "foo/**bar", "foo/ybar", FILE,
                        true),
                new Case("Two stars in a slash-free pattern match names only", "a**b", "a/b", FILE, false),
                new Case("Two stars alone match everything", "**", "a/b", FILE, true),
                new Case("Like git, two stars right after an anchored pattern's literal start cross slashes",
                        "foo**/bar", "foo/x/bar", FILE, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ignoresMatchesGitSemantics(Case c) {
        IgnoreRules rules = IgnoreRules.parse(c.rules());
        assertEquals(c.expected(), rules.ignores(c.path(), c.directory()), rules + " on " + c.path());
    }

    /** The walker's contract: once every ancestor is known not to be ignored, the entry check alone decides. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ignoresEntryAgreesWhenNoAncestorIsIgnored(Case c) {
        IgnoreRules rules = IgnoreRules.parse(c.rules());
        for (int slash = c.path().indexOf('/'); slash >= 0; slash = c.path().indexOf('/', slash + 1)) {
            if (rules.ignores(c.path().substring(0, slash), true)) {
                return;
            }
        }
        assertEquals(c.expected(), rules.ignoresEntry(c.path(), c.directory()), rules + " on " + c.path());
    }

    @Test
    void ignoresEntryLeavesAncestorsToTheCaller() {
        IgnoreRules rules = IgnoreRules.parse("build/\n!build/keep.txt");

        assertFalse(rules.ignoresEntry("build/keep.txt", false));
        assertTrue(rules.ignores("build/keep.txt", false));
    }

    @Test
    void noneIgnoresNothing() {
        assertFalse(IgnoreRules.NONE.ignores("a/b", false));
        assertFalse(IgnoreRules.NONE.ignoresEntry(".mirrorignore", false));
        assertSame(IgnoreRules.NONE, IgnoreRules.parse("# only comments\n\n"));
    }

    @Test
    void pathsWithLeadingOrTrailingSlashOrEmptyAreRejected() {
        IgnoreRules rules = IgnoreRules.parse("*.log");

        assertThrows(IllegalArgumentException.class, () -> rules.ignores("/a.log", false));
        assertThrows(IllegalArgumentException.class, () -> rules.ignoresEntry("a/", true));
        assertThrows(IllegalArgumentException.class, () -> IgnoreRules.NONE.ignores("", false));
    }

    @Test
    void loadReadsUtf8WithBomAndCrlf(@TempDir Path root) throws IOException {
        String text = "\uFEFF*.tmp\r\n!keep.tmp\r\nrésumé/\r\n";
        Files.write(root.resolve(".mirrorignore"), text.getBytes(StandardCharsets.UTF_8));

        IgnoreRules rules = IgnoreRules.load(root);

        assertTrue(rules.ignores("a/b.tmp", false));
        assertFalse(rules.ignores("keep.tmp", false));
        assertTrue(rules.ignores("résumé/cv.pdf", false));
    }

    @Test
    void loadWithoutFileReturnsNone(@TempDir Path root) throws IOException {
        assertSame(IgnoreRules.NONE, IgnoreRules.load(root));
    }

    @Test
    void loadRejectsInvalidUtf8(@TempDir Path root) throws IOException {
        Files.write(root.resolve(".mirrorignore"), new byte[] {'r', (byte) 0xE9, 's', '\n'}); // Latin-1 "rés"

        IOException e = assertThrows(IOException.class, () -> IgnoreRules.load(root));

        assertEquals("Cannot read " + root.resolve(".mirrorignore") + ": it is not valid UTF-8; save it as UTF-8.",
                e.getMessage());
    }

    @Test
    void loadRefusesSymbolicLinkLeavingTheRoot(@TempDir Path dir) throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.writeString(dir.resolve("elsewhere"), "*\n");
        Files.createSymbolicLink(root.resolve(".mirrorignore"), outside);

        IOException e = assertThrows(IOException.class, () -> IgnoreRules.load(root));

        assertEquals("Cannot read " + root.resolve(".mirrorignore")
                + ": it is a symbolic link; replace it with a regular file.", e.getMessage());
    }

    /** Git's matcher, which this follows, gives up early instead of retrying every split: no exponential time. */
    @Test
    void manyStarsAgainstALongNameFinishQuickly() {
        IgnoreRules rules = IgnoreRules.parse("*a*a*a*a*a*a*a*a*b\n**/a/**/a/**/a/**/a/**/b");
        String name = "a".repeat(200);
        String deep = "a/".repeat(30) + "a";

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertFalse(rules.ignores(name, false));
            assertFalse(rules.ignores(deep, false));
        });
    }

    /** One row: the rules text, a path, whether it is a directory, and whether the rules should ignore it. */
    record Case(String description, String rules, String path, boolean directory, boolean expected) {
        @Override
        public String toString() {
            return description;
        }
    }
}
