package dev.mirror.cli;

import java.util.Locale;

/** Formats numbers for people: thousands separators and binary byte units. */
final class Units {
    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** "512 B", "1.5 KiB", "3.2 GiB". */
    static String bytes(long value) {
        double scaled = value;
        int unit = 0;
        while (scaled >= 1024 && unit < BYTE_UNITS.length - 1) {
            scaled /= 1024;
            unit++;
        }
        return unit == 0 ? value + " B" : String.format(Locale.ROOT, "%.1f %s", scaled, BYTE_UNITS[unit]);
    }
}
