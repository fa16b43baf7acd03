package dev.mirror.scan;

import java.util.Optional;

/**
 * One pattern of a {@code .mirrorignore} file, parsed once so that matching a path allocates nothing.
 *
 * <p>As in git, a pattern without glob characters is compared as a string, and {@code *suffix} as an
 * {@code endsWith}; only the rest run {@link Wildmatch}, after comparing their literal prefix. Immutable and
 * thread-safe.
 */
final class IgnorePattern {
    private static final String GLOB_CHARACTERS = "*?[\\";

    private final String line;
    private final boolean negated;
    private final boolean directoryOnly;
    /** Had no slash: matched against the last component, at any depth. Otherwise against the whole path. */
    private final boolean nameOnly;
    private final Kind kind;
    /** LITERAL: the whole pattern; SUFFIX: the text after the star; GLOB: the text before the first glob character. */
    private final String literal;
    /** GLOB only: the pattern's code points, and how many of them {@link #literal} holds. */
    private final int[] glob;
    private final int literalCodePoints;

    private IgnorePattern(String line, boolean negated, boolean directoryOnly, boolean nameOnly, String pattern) {
        this.line = line;
        this.negated = negated;
        this.directoryOnly = directoryOnly;
        this.nameOnly = nameOnly;
        int firstGlob = indexOfGlobCharacter(pattern, 0);
        if (firstGlob < 0) {
            kind = Kind.LITERAL;
            literal = pattern;
        } else if (nameOnly && pattern.charAt(0) == '*' && indexOfGlobCharacter(pattern, 1) < 0) {
            // A name holds no '/', so this star may match any prefix of it.
            kind = Kind.SUFFIX;
            literal = pattern.substring(1);
        } else {
            kind = Kind.GLOB;
            literal = pattern.substring(0, firstGlob);
        }
        glob = kind == Kind.GLOB ? pattern.codePoints().toArray() : null;
        literalCodePoints = literal.codePointCount(0, literal.length());
    }

    /**
     * Parses one line that is neither blank nor a comment and has had its unescaped trailing spaces removed. Empty
     * when the line can match nothing ({@code !} or {@code /} alone), which git also accepts silently.
     */
    static Optional<IgnorePattern> parse(String line) {
        String pattern = line;
        boolean negated = pattern.startsWith("!");
        if (negated) {
            pattern = pattern.substring(1);
        }
        // Only one trailing slash is special; "a//" keeps a slash and, like in git, then matches nothing.
        boolean directoryOnly = pattern.endsWith("/");
        if (directoryOnly) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        boolean nameOnly = pattern.indexOf('/') < 0;
        if (!nameOnly && pattern.startsWith("/")) {
            pattern = pattern.substring(1); // any slash anchors the pattern; a leading one has no other meaning
        }
        if (pattern.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new IgnorePattern(line, negated, directoryOnly, nameOnly, pattern));
    }

    /** Whether a match re-includes the path (a {@code !pattern}) rather than ignoring it. */
    boolean negated() {
        return negated;
    }

    /**
     * Whether this pattern matches the path held in {@code path} from index 0 to {@code end}, whose last component
     * starts at {@code nameStart}. Ancestors are not considered.
     */
    boolean matches(String path, int nameStart, int end, boolean directory) {
        if (directoryOnly && !directory) {
            return false;
        }
        int from = nameOnly ? nameStart : 0;
        int length = end - from;
        int literalLength = literal.length();
        switch (kind) {
            case LITERAL:
                return length == literalLength && path.regionMatches(from, literal, 0, literalLength);
            case SUFFIX:
                return length >= literalLength && path.regionMatches(end - literalLength, literal, 0, literalLength);
            case GLOB:
                // Git globs a name pattern from its start, not after the prefix; but in a name without '/', where
                // a "**" begins changes nothing, so both kinds may skip the prefix.
                return length >= literalLength
                        && path.regionMatches(from, literal, 0, literalLength)
                        && Wildmatch.matches(glob, literalCodePoints, path, from + literalLength, end);
            default:
                throw new AssertionError("no matcher for " + kind);
        }
    }

    /** The line as written in the file. */
    @Override
    public String toString() {
        return line;
    }

    private static int indexOfGlobCharacter(String pattern, int from) {
        for (int i = from; i < pattern.length(); i++) {
            if (GLOB_CHARACTERS.indexOf(pattern.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private enum Kind {
        LITERAL,
        SUFFIX,
        GLOB,
    }
}
