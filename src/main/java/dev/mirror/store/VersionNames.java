package dev.mirror.store;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of kept versions: {@code report.pdf} replaced at 15:04:05 on 2 January 2025 is kept as
 * {@code report~20250102-150405.pdf} (the extension stays last so the copy still opens by double-click, as in
 * Syncthing's versioning); a second one in the same second is {@code report~20250102-150405-2.pdf}. A name too long
 * for the tag is cut at a character boundary to fit 255 bytes. Pure and thread-safe.
 */
final class VersionNames {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss");
    private static final Pattern TAG = Pattern.compile("~(\\d{8}-\\d{6})(?:-(\\d{1,5}))?");

    private VersionNames() {
    }

    /** The name of the {@code attempt}-th (from 1) version of {@code name} kept at {@code time}. */
    static String of(String name, LocalDateTime time, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, not " + attempt);
        }
        String tag = "~" + STAMP.format(time) + (attempt == 1 ? "" : "-" + attempt);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        int room = NetworkPaths.MAX_NAME_BYTES - tag.length(); // The tag is ASCII: one byte a character.
        if (utf8Length(extension) >= room) {
            stem = name;
            extension = "";
        }
        return cut(stem, room - utf8Length(extension)) + tag + extension;
    }

    /**
     * When and as which attempt {@code keptName} was kept, if it is a kept version of {@code name}: the one tag in
     * it that {@link #of} turns {@code name} back into {@code keptName}. Exact even for names that were cut, or that
     * hold something like a tag themselves, because it is checked by naming again rather than by parsing alone.
     */
    static Optional<Tag> match(String keptName, String name) {
        // A kept name starts as its original does (or with the tag, if the cut left nothing): a cheap first test,
        // since pruning runs this over every name in a directory of versions.
        if (!keptName.startsWith(name.substring(0, name.offsetByCodePoints(0, 1))) && !keptName.startsWith("~")) {
            return Optional.empty();
        }
        Matcher tag = TAG.matcher(keptName);
        for (int from = 0; from < keptName.length() && tag.find(from); from = tag.start() + 1) {
            int attempt = tag.group(2) == null ? 1 : Integer.parseInt(tag.group(2));
            LocalDateTime time;
            try {
                time = LocalDateTime.parse(tag.group(1), STAMP);
            } catch (DateTimeParseException e) {
                continue;
            }
            if (attempt >= 1 && of(name, time, attempt).equals(keptName)) {
                return Optional.of(new Tag(time, attempt));
            }
        }
        return Optional.empty();
    }

    /** The longest prefix of {@code text} that is at most {@code maxBytes} in UTF-8, never splitting a character. */
    private static String cut(String text, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int next = text.offsetByCodePoints(end, 1);
            bytes += utf8Length(text.substring(end, next));
            if (bytes > maxBytes) {
                break;
            }
            end = next;
        }
        return text.substring(0, end);
    }

    private static int utf8Length(String text) {
        return NetworkPaths.utf8Length(text, 0, text.length());
    }

    /** The time tag of a kept name: when (in the keeping clock's zone) and which attempt that second. */
    record Tag(LocalDateTime time, int attempt) {
    }
}
