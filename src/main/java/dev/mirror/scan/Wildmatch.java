package dev.mirror.scan;

/**
 * Matches one glob against part of a path, with the semantics of git's {@code wildmatch} in {@code WM_PATHNAME}
 * mode: {@code *}, {@code ?} and bracket expressions never match {@code /}; {@code **} between slashes (or at an
 * end) matches across them. Works on code points, where git works on bytes, so {@code ?} matches one {@code é}.
 *
 * <p>The pattern is interpreted in place rather than compiled to a regex: no allocation per call, and git's early
 * exits ({@code ABORT_ALL}, {@code ABORT_TO_STAR_STAR}) keep runs of stars from backtracking exponentially.
 * Stateless and thread-safe.
 */
final class Wildmatch {
    private static final int MATCH = 0;
    private static final int NO_MATCH = 1;
    /** The text ran out: no later start for an enclosing star can match either. */
    private static final int ABORT_ALL = 2;
    /** A single star reached a slash: only an enclosing {@code **} may still match by consuming it. */
    private static final int ABORT_TO_STAR_STAR = 3;

    /** {@link #matchClass} results that are not the index of the closing bracket. */
    private static final int CLASS_NO_MATCH = -1;
    private static final int CLASS_MALFORMED = -2;

    private static final String[] POSIX_CLASSES = {
        "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit",
    };

    private Wildmatch() {
    }

    /**
     * Whether {@code pattern} from code point {@code patternStart} matches all of {@code text} from char index
     * {@code textStart} to {@code textEnd}.
     *
     * <p>A {@code **} right at {@code patternStart} counts as beginning the pattern even if a literal prefix was
     * skipped. That reproduces git, which compares a path pattern's literal prefix itself and globs only the rest,
     * so that {@code foo**}{@code /bar} matches {@code foo/x/bar} there; callers pass the same start git would.
     */
    static boolean matches(int[] pattern, int patternStart, String text, int textStart, int textEnd) {
        return match(pattern, patternStart, patternStart, text, textStart, textEnd) == MATCH;
    }

    private static int match(int[] p, int start, int pi, String text, int ti, int end) {
        for (; pi < p.length; pi++) {
            int pc = p[pi];
            if (ti >= end && pc != '*') {
                return ABORT_ALL;
            }
            if (pc == '*') {
                return star(p, start, pi, text, ti, end);
            }
            int tc = text.codePointAt(ti);
            if (pc == '\\') {
                // A trailing lone backslash compares against nothing and so never matches, as in git.
                pi++;
                if (pi >= p.length || p[pi] != tc) {
                    return NO_MATCH;
                }
            } else if (pc == '?') {
                if (tc == '/') {
                    return NO_MATCH;
                }
            } else if (pc == '[') {
                int close = matchClass(p, pi, tc);
                if (close == CLASS_MALFORMED) {
                    return ABORT_ALL;
                }
                if (close == CLASS_NO_MATCH || tc == '/') {
                    return NO_MATCH;
                }
                pi = close;
            } else if (pc != tc) {
                return NO_MATCH;
            }
            ti += Character.charCount(tc);
        }
        return ti >= end ? MATCH : NO_MATCH;
    }

    /** Matches the run of stars at {@code pi} and everything after it. */
    private static int star(int[] p, int start, int pi, String text, int ti, int end) {
        int runStart = pi;
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        boolean matchSlash = false;
        boolean startsComponent = runStart == start || p[runStart - 1] == '/';
        boolean endsComponent = pi == p.length || p[pi] == '/'
                || (p[pi] == '\\' && pi + 1 < p.length && p[pi + 1] == '/');
        if (pi - runStart >= 2 && startsComponent && endsComponent) {
            // "/**/" also stands for zero directories: "a/**/b" matches "a/b". Try that before consuming any text.
            if (pi < p.length && p[pi] == '/' && match(p, start, pi + 1, text, ti, end) == MATCH) {
                return MATCH;
            }
            matchSlash = true;
        }
        if (pi == p.length) {
            return matchSlash || indexOfSlash(text, ti, end) < 0 ? MATCH : NO_MATCH;
        }
        if (!matchSlash && p[pi] == '/') {
            // "*/" can only end at the next slash, so jump there instead of trying every length.
            int slash = indexOfSlash(text, ti, end);
            return slash < 0 ? NO_MATCH : match(p, start, pi, text, slash, end);
        }
        while (ti < end) {
            int pc = p[pi];
            if (pc != '*' && pc != '?' && pc != '[' && pc != '\\') {
                // The star must stop right before an occurrence of this literal: skip to the next one.
                ti = indexOfLiteral(text, ti, end, pc, matchSlash);
                if (ti < 0) {
                    return NO_MATCH;
                }
            }
            int tc = text.codePointAt(ti);
            int result = match(p, start, pi, text, ti, end);
            if (result != NO_MATCH) {
                if (!matchSlash || result != ABORT_TO_STAR_STAR) {
                    return result;
                }
            } else if (!matchSlash && tc == '/') {
                return ABORT_TO_STAR_STAR;
            }
            ti += Character.charCount(tc);
        }
        return ABORT_ALL;
    }

    private static int indexOfSlash(String text, int from, int end) {
        int slash = text.indexOf('/', from);
        return slash >= 0 && slash < end ? slash : -1;
    }

    /** The next index of {@code literal} at or after {@code from}, or -1; a star without {@code **} stops at '/'. */
    private static int indexOfLiteral(String text, int from, int end, int literal, boolean crossSlash) {
        for (int i = from; i < end; ) {
            int c = text.codePointAt(i);
            if (c == literal) {
                return i;
            }
            if (c == '/' && !crossSlash) {
                return -1;
            }
            i += Character.charCount(c);
        }
        return -1;
    }

    /**
     * Matches the bracket expression opening at {@code pi} against {@code tc}: the index of its closing bracket if
     * {@code tc} is a member, else {@link #CLASS_NO_MATCH}, or {@link #CLASS_MALFORMED} if it is never closed or
     * names an unknown {@code [:class:]}. As in git, the first member may be {@code ]}.
     */
    private static int matchClass(int[] p, int pi, int tc) {
        pi++;
        boolean negated = pi < p.length && (p[pi] == '!' || p[pi] == '^');
        if (negated) {
            pi++;
        }
        boolean matched = false;
        int previous = 0; // the member before, which a '-' may extend to a range; 0 when there is none
        do {
            if (pi >= p.length) {
                return CLASS_MALFORMED;
            }
            int pc = p[pi];
            if (pc == '\\') {
                if (++pi >= p.length) {
                    return CLASS_MALFORMED;
                }
                pc = p[pi];
                matched |= tc == pc;
            } else if (pc == '-' && previous != 0 && pi + 1 < p.length && p[pi + 1] != ']') {
                pc = p[++pi];
                if (pc == '\\') {
                    if (++pi >= p.length) {
                        return CLASS_MALFORMED;
                    }
                    pc = p[pi];
                }
                matched |= previous <= tc && tc <= pc;
                pc = 0; // "a-c-e" is a range and then the members '-' and 'e', as in git
            } else if (pc == '[' && pi + 1 < p.length && p[pi + 1] == ':') {
                int nameStart = pi + 2;
                int close = nameStart;
                while (close < p.length && p[close] != ']') {
                    close++;
                }
                if (close >= p.length) {
                    return CLASS_MALFORMED;
                }
                if (close == nameStart || p[close - 1] != ':') {
                    matched |= tc == '['; // no ":]" before the next ']': this '[' is an ordinary member
                } else {
                    int posixClass = posixClass(p, nameStart, close - 1);
                    if (posixClass < 0) {
                        return CLASS_MALFORMED;
                    }
                    matched |= inPosixClass(posixClass, tc);
                    pi = close;
                    pc = 0;
                }
            } else {
                matched |= tc == pc;
            }
            previous = pc;
            pi++;
        } while (pi >= p.length || p[pi] != ']');
        return matched != negated ? pi : CLASS_NO_MATCH;
    }

    private static int posixClass(int[] p, int from, int to) {
        for (int i = 0; i < POSIX_CLASSES.length; i++) {
            String name = POSIX_CLASSES[i];
            if (name.length() == to - from && regionEquals(p, from, name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(int[] p, int from, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (p[from + i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII only, like git's own ctype: no non-ASCII letter is {@code [:alpha:]}. */
    private static boolean inPosixClass(int posixClass, int c) {
        boolean upper = c >= 'A' && c <= 'Z';
        boolean lower = c >= 'a' && c <= 'z';
        boolean digit = c >= '0' && c <= '9';
        boolean graph = c > ' ' && c < 0x7f;
        switch (POSIX_CLASSES[posixClass]) {
            case "alnum": return upper || lower || digit;
            case "alpha": return upper || lower;
            case "blank": return c == ' ' || c == '\t';
            case "cntrl": return c < ' ' || c == 0x7f;
            case "digit": return digit;
            case "graph": return graph;
            case "lower": return lower;
            case "print": return graph || c == ' ';
            case "punct": return graph && !(upper || lower || digit);
            case "space": return c == ' ' || (c >= '\t' && c <= '\r');
            case "upper": return upper;
            case "xdigit": return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            default: throw new AssertionError("no test for [:" + POSIX_CLASSES[posixClass] + ":]");
        }
    }
}
