package dev.mirror.sync;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the copy that keeps the losing side of a conflict: {@code name.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.ext}.
 * Everything in it comes from the losing entry (its mtime, the device that last changed it), never from a clock, so
 * both peers compute the same name on their own. See docs/decisions.md for the format byte for byte. Stateless and
 * thread-safe.
 */
public final class ConflictName {
    /** The longest name Linux file systems accept, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    private static final String MARKER = ".sync-conflict-";
    /** A marker as this class writes it (and as Syncthing does), at the end of a base name. */
    private static final Pattern MARKED = Pattern.compile("\\.sync-conflict-[0-9]{8}-[0-9]{6}-[A-Z2-7]{7}$");
    /** RFC 4648 base32, the alphabet of device IDs' text form. */
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final int DEVICE_CHARS = 7;
    private static final int BASE32_BITS = 5;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private ConflictName() {
    }

    /**
     * The name of the conflict copy of {@code name}.
     *
     * @param loserMtimeNanos the losing entry's modification time (0 for a symlink); only its second counts
     * @param loserDevice the short ID ({@code DeviceId.shortId()}) of the device that last changed the losing entry
     */
    public static String of(String name, long loserMtimeNanos, long loserDevice) {
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("not a name: '" + name + "'");
        }
        String marker = MARKER + timestamp(loserMtimeNanos) + "-" + deviceShortForm(loserDevice);
        Parts parts = Parts.of(name);
        // A copy of a copy gets its marker replaced, not another one appended: conflicts of conflicts (Syncthing
        // #2282) would otherwise grow names until they hit the length limit.
        String result = compose(parts.unmarked(), marker, MAX_NAME_BYTES);
        if (!result.equals(name)) {
            return result;
        }
        // The copy would take the very name it comes from (same second, same device): nest once instead, and if
        // truncation ate the nesting, one byte shorter.
        result = compose(parts, marker, MAX_NAME_BYTES);
        return result.equals(name) ? compose(parts, marker, utf8Length(name) - 1) : result;
    }

    /**
     * The first 7 characters of a device ID's text form ({@code DeviceId.shortForm()}), computed from its short ID:
     * they are the base32 of the hash's first 35 bits, all of which the 64-bit short ID holds. So a device known only
     * from a version vector can still be named.
     */
    public static String deviceShortForm(long device) {
        char[] chars = new char[DEVICE_CHARS];
        for (int i = 0; i < DEVICE_CHARS; i++) {
            int shift = Long.SIZE - BASE32_BITS * (i + 1);
            chars[i] = BASE32.charAt((int) ((device >>> shift) & 0x1f));
        }
        return new String(chars);
    }

    /** True if {@code name} carries a conflict marker, as this class or Syncthing writes it. */
    public static boolean isConflictCopy(String name) {
        Parts parts = Parts.of(name);
        return !parts.unmarked().base().equals(parts.base());
    }

    /** {@code YYYYMMDD-HHMMSS} in UTC; times before 1970 count back (floor), so -1 ns is 19691231-235959. */
    private static String timestamp(long mtimeNanos) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(Math.floorDiv(mtimeNanos, NANOS_PER_SECOND), 0,
                ZoneOffset.UTC);
        // A long of nanoseconds spans the years 1677 to 2262: always four digits.
        return String.format(Locale.ROOT, "%04d%02d%02d-%02d%02d%02d", time.getYear(), time.getMonthValue(),
                time.getDayOfMonth(), time.getHour(), time.getMinute(), time.getSecond());
    }

    /**
     * {@code base + marker + ext} within {@code maxBytes}, cutting the base at a code point and never the marker or
     * extension. An extension so long that not even the base's first character fits is treated as part of the base.
     */
    private static String compose(Parts parts, String marker, int maxBytes) {
        String base = parts.base();
        String ext = parts.ext();
        int fixedBytes = utf8Length(marker) + utf8Length(ext);
        if (fixedBytes + utf8Length(base.substring(0, base.offsetByCodePoints(0, 1))) > maxBytes) {
            base = base + ext;
            ext = "";
            fixedBytes = utf8Length(marker);
        }
        return truncate(base, maxBytes - fixedBytes) + marker + ext;
    }

    /** The longest prefix of {@code text} that ends at a code point and takes at most {@code maxBytes} in UTF-8. */
    private static String truncate(String text, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            bytes += utf8Length(codePoint);
            if (bytes > maxBytes) {
                break;
            }
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    /**
     * A name split where the marker goes: before the extension (from the last '.'), or at the end when there is no
     * extension. A name starting with its only '.' ({@code .bashrc}) has none, and neither does a copy that already
     * ends with a marker ({@code .bashrc.sync-conflict-…}, whose "extension" would be the marker itself).
     */
    private record Parts(String base, String ext) {
        static Parts of(String name) {
            Matcher marked = MARKED.matcher(name);
            int dot = name.lastIndexOf('.');
            if ((marked.find() && marked.start() > 0) || dot <= 0) {
                return new Parts(name, "");
            }
            return new Parts(name.substring(0, dot), name.substring(dot));
        }

        /** These parts without a marker at the end of the base, if one is there and something is left before it. */
        Parts unmarked() {
            Matcher marked = MARKED.matcher(base);
            return marked.find() && marked.start() > 0 ? new Parts(base.substring(0, marked.start()), ext) : this;
        }
    }
}
