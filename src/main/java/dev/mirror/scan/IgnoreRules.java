package dev.mirror.scan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The rules of a folder's {@code .mirrorignore} file: which paths are neither sent nor deleted. The syntax and
 * matching are git's gitignore(5), specified in {@code docs/ignore.md}.
 *
 * <p>Patterns are parsed once; matching a path allocates nothing. Immutable and thread-safe: one instance may serve
 * every scanning thread.
 */
public final class IgnoreRules {
    /** The rules file, at the root of the synced folder. */
    public static final String FILE_NAME = ".mirrorignore";

    /** No rules: ignores nothing. */
    public static final IgnoreRules NONE = new IgnoreRules(List.of());

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** In file order; the last one that matches decides. */
    private final IgnorePattern[] patterns;

    private IgnoreRules(List<IgnorePattern> patterns) {
        this.patterns = patterns.toArray(new IgnorePattern[0]);
    }

    /**
     * Parses the text of a rules file. Never fails: a pattern git would treat as matching nothing (such as an
     * unclosed {@code [}) is kept and matches nothing here too.
     */
    public static IgnoreRules parse(String text) {
        Objects.requireNonNull(text, "text");
        List<IgnorePattern> patterns = new ArrayList<>();
        int start = !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? 1 : 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int lineEnd = newline < 0 ? text.length() : newline;
            // Like git, drop one CR before the line end so files saved on Windows work; a lone CR is not a break.
            int contentEnd = lineEnd > start && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            String line = withoutTrailingSpaces(text, start, contentEnd);
            if (!line.isEmpty() && line.charAt(0) != '#') {
                IgnorePattern.parse(line).ifPresent(patterns::add);
            }
            start = lineEnd + 1;
        }
        return patterns.isEmpty() ? NONE : new IgnoreRules(patterns);
    }

    /**
     * Reads {@code <folderRoot>/.mirrorignore} as UTF-8, or returns {@link #NONE} if there is none. Fails rather than
     * guess when the file is not UTF-8 or is a symbolic link (which git also refuses to follow): syncing with the
     * wrong rules would send files the person meant to keep local.
     */
    public static IgnoreRules load(Path folderRoot) throws IOException {
        Path file = folderRoot.resolve(FILE_NAME);
        byte[] bytes;
        try {
            if (Files.isSymbolicLink(file)) {
                throw new IOException(
                        "Cannot read " + file + ": it is a symbolic link; replace it with a regular file.");
            }
            // RACE: the file may become a link after the check; NOFOLLOW_LINKS then fails the open instead.
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readAllBytes();
            }
        } catch (NoSuchFileException e) {
            return NONE;
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            throw new IOException("Cannot read " + file + ": it is not valid UTF-8; save it as UTF-8.", e);
        }
    }

    /**
     * Whether {@code relativePath} is ignored, either itself or because a directory above it is: as in git, nothing
     * inside an ignored directory can be re-included by a {@code !} pattern.
     *
     * @param relativePath path from the folder root, '/'-separated, without leading or trailing slash
     * @param directory whether the path is a directory (a symbolic link to one is not)
     */
    public boolean ignores(String relativePath, boolean directory) {
        requireRelative(relativePath);
        if (patterns.length == 0) {
            return false;
        }
        for (int slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
            if (lastMatchIgnores(relativePath, slash, true)) {
                return true;
            }
        }
        return lastMatchIgnores(relativePath, relativePath.length(), directory);
    }

    /**
     * Whether the patterns ignore {@code relativePath} itself, assuming no directory above it is ignored. For a
     * walker that never descends into ignored directories, so has already checked every ancestor: it skips the
     * ancestor checks {@link #ignores} repeats. Called once per file in a scan, so it allocates nothing.
     *
     * @param relativePath path from the folder root, '/'-separated, without leading or trailing slash
     * @param directory whether the path is a directory (a symbolic link to one is not)
     */
    public boolean ignoresEntry(String relativePath, boolean directory) {
        requireRelative(relativePath);
        return patterns.length != 0 && lastMatchIgnores(relativePath, relativePath.length(), directory);
    }

    /** The patterns in file order, as written after trimming, for logs. */
    @Override
    public String toString() {
        return "IgnoreRules" + Arrays.toString(patterns);
    }

    /**
     * Removes trailing spaces unless escaped with a backslash, exactly as git does: only spaces (not tabs), and
     * nothing at all when the line ends in a lone backslash.
     */
    private static String withoutTrailingSpaces(String text, int start, int end) {
        int firstTrailingSpace = -1;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                if (firstTrailingSpace < 0) {
                    firstTrailingSpace = i;
                }
            } else {
                firstTrailingSpace = -1;
                if (c == '\\' && ++i >= end) {
                    return text.substring(start, end);
                }
            }
        }
        return text.substring(start, firstTrailingSpace < 0 ? end : firstTrailingSpace);
    }

    private static void requireRelative(String path) {
        if (path.isEmpty() || path.charAt(0) == '/' || path.charAt(path.length() - 1) == '/') {
            throw new IllegalArgumentException(
                    "Cannot match ignore rules against \"" + path + "\": expected a non-empty path relative to the "
                            + "folder root, without leading or trailing '/'");
        }
    }

    /** Whether the last pattern matching {@code path[0, end)} ignores it (false if none matches). */
    private boolean lastMatchIgnores(String path, int end, boolean directory) {
        int nameStart = path.lastIndexOf('/', end - 1) + 1;
        for (int i = patterns.length - 1; i >= 0; i--) {
            IgnorePattern pattern = patterns[i];
            if (pattern.matches(path, nameStart, end, directory)) {
                return !pattern.negated();
            }
        }
        return false;
    }
}
