package dev.mirror.store;

import java.io.IOException;
import java.util.Objects;

/**
 * A path, usually from a peer, that mirror refuses to touch: {@link #reason()} says why in a few words, for the log
 * line and the reason the link is closed with. Thrown before any file system call for that path.
 */
public final class PathRejectedException extends IOException {
    /** Longer paths are cut in messages: a hostile peer must not be able to fill the log. */
    private static final int MAX_SHOWN_CHARS = 200;

    private final String path;
    private final String reason;

    public PathRejectedException(String path, String reason) {
        super("Refused the path " + printable(path) + ": " + reason + ".");
        this.path = Objects.requireNonNull(path, "path");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The path exactly as it was received. */
    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }

    /** {@code text} in double quotes, safe to log: controls and quotes escaped, cut after 200 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN_CHARS) + 8).append('"');
        for (int i = 0; i < text.length() && i < MAX_SHOWN_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '"' || c == '\\') {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX_SHOWN_CHARS) {
            out.append("…(").append(text.length()).append(" characters)");
        }
        return out.append('"').toString();
    }
}
