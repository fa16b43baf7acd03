package dev.mirror.store;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The rules a path from a peer must pass before it names anything on disk (docs/writing.md, "Path rules"). A path is
 * relative to the folder root, its names joined by single '/'. Pure and stateless: thread-safe.
 */
public final class NetworkPaths {
    /** NAME_MAX of Linux file systems. */
    public static final int MAX_NAME_BYTES = 255;
    /** Below PATH_MAX (4096) so the folder's own path still fits in front of it. */
    public static final int MAX_PATH_BYTES = 4000;
    /** PATH_MAX less the terminating NUL. */
    public static final int MAX_SYMLINK_TARGET_BYTES = 4095;

    private static final String STATE_DIRECTORY = StateDirectory.NAME;

    private NetworkPaths() {
    }

    /**
     * Returns {@code path} unchanged if it is a safe relative path inside the folder.
     *
     * @throws PathRejectedException naming the first rule it breaks
     */
    public static String check(String path) throws PathRejectedException {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new PathRejectedException(path, "path is empty");
        }
        if (path.charAt(0) == '/') {
            throw new PathRejectedException(path, "path is absolute");
        }
        if (path.charAt(path.length() - 1) == '/') {
            throw new PathRejectedException(path, "path ends with '/'");
        }
        checkCharacters(path, path, 0, "path", true);
        int bytes = utf8Length(path, 0, path.length());
        if (bytes > MAX_PATH_BYTES) {
            throw new PathRejectedException(path, "path is longer than " + MAX_PATH_BYTES + " bytes in UTF-8 ("
                    + bytes + ")");
        }
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            checkName(path, start, end);
            start = end + 1;
        }
        return path;
    }

    /**
     * Returns {@code path} unchanged if it passes {@link #check}, knowing that all of it before its last name (which
     * starts at {@code lastStart} and holds no '/') passed already and is {@code parentBytes} long in UTF-8 (0 for
     * the root): only the last name and the whole length are checked, with the reasons {@link #check} would give. A
     * listing's children cost this, not a check of their directory's path again for each of them.
     *
     * @throws PathRejectedException naming the first rule it breaks
     */
    public static String checkLastName(String path, int lastStart, int parentBytes) throws PathRejectedException {
        if (path.indexOf('/', lastStart) >= 0) {
            throw new IllegalArgumentException(lastStart + " is not where the last name of '" + path + "' starts");
        }
        if (lastStart == path.length()) {
            throw new PathRejectedException(path, path.isEmpty() ? "path is empty" : "path ends with '/'");
        }
        checkCharacters(path, path, lastStart, "path", true);
        int bytes = (lastStart == 0 ? 0 : parentBytes + 1) + utf8Length(path, lastStart, path.length());
        if (bytes > MAX_PATH_BYTES) {
            throw new PathRejectedException(path, "path is longer than " + MAX_PATH_BYTES + " bytes in UTF-8 ("
                    + bytes + ")");
        }
        checkName(path, lastStart, path.length());
        return path;
    }

    /**
     * Returns {@code target} unchanged if a symlink at {@code path} may point there. Where it points is not checked:
     * mirror stores symlinks and never follows them. The target must survive {@link Path} unchanged, or the link on
     * disk would differ from the one sent.
     *
     * @throws PathRejectedException naming {@code path} and the first rule the target breaks
     */
    public static String checkSymlinkTarget(String path, String target) throws PathRejectedException {
        Objects.requireNonNull(target, "target");
        if (target.isEmpty()) {
            throw new PathRejectedException(path, "symlink target is empty");
        }
        checkCharacters(path, target, 0, "symlink target", false);
        int bytes = utf8Length(target, 0, target.length());
        if (bytes > MAX_SYMLINK_TARGET_BYTES) {
            throw new PathRejectedException(path, "symlink target is longer than " + MAX_SYMLINK_TARGET_BYTES
                    + " bytes in UTF-8 (" + bytes + ")");
        }
        try {
            if (!Path.of(target).toString().equals(target)) {
                throw new PathRejectedException(path, "symlink target has a repeated or trailing '/'");
            }
        } catch (InvalidPathException e) {
            throw new PathRejectedException(path, "symlink target is not a valid path (" + e.getReason() + ")");
        }
        return target;
    }

    /**
     * Rejects characters that are not a name's own: NUL and '/' are the only bytes Linux forbids, but a backslash is
     * a separator on Windows, control characters break terminals and logs, U+FFFD marks bytes that were not UTF-8 on
     * the sender (the name cannot be written back as it was), and a lone surrogate has no UTF-8 form at all (Java
     * would write '?', naming another file).
     */
    private static void checkCharacters(String path, String text, int from, String what, boolean backslashForbidden)
            throws PathRejectedException {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                throw new PathRejectedException(path, what + " contains NUL");
            }
            if (c == '\\' && backslashForbidden) {
                throw new PathRejectedException(path, what + " contains a backslash");
            }
            if (Character.isISOControl(c)) {
                throw new PathRejectedException(path, String.format("%s contains control character U+%04X", what,
                        (int) c));
            }
            if (c == '\uFFFD') {
                throw new PathRejectedException(path, what + " contains U+FFFD (a name that was not valid UTF-8)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new PathRejectedException(path, what + " contains an unpaired surrogate (not Unicode)");
            }
        }
    }

    private static void checkName(String path, int start, int end) throws PathRejectedException {
        if (start == end) {
            throw new PathRejectedException(path, "path has an empty name ('//')");
        }
        if (path.startsWith(".", start) && end - start == 1) {
            throw new PathRejectedException(path, "path has a '.' name");
        }
        if (path.startsWith("..", start) && end - start == 2) {
            throw new PathRejectedException(path, "path has a '..' name");
        }
        if (start == 0 && path.startsWith(STATE_DIRECTORY, 0) && end == STATE_DIRECTORY.length()) {
            throw new PathRejectedException(path, "path is inside .mirror, mirror's state directory");
        }
        int bytes = utf8Length(path, start, end);
        if (bytes > MAX_NAME_BYTES) {
            throw new PathRejectedException(path, "name is longer than " + MAX_NAME_BYTES + " bytes in UTF-8 ("
                    + bytes + ")");
        }
    }

    /** UTF-8 length of {@code text[start, end)}, whose surrogates are already known to be paired. */
    static int utf8Length(String text, int start, int end) {
        int bytes = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
