package dev.mirror.core;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A peer's identity: the SHA-256 of its TLS certificate's DER encoding. Its text form is meant to be read aloud and
 * checked by a person: 56 base32 characters in 8 groups of 7 joined by '-', where every 14th character is a Luhn
 * mod 32 check character over the 13 before it, so a mistyped character is reported by group (see
 * docs/identity.md for the computation byte for byte). Immutable and safe to share between threads.
 */
public final class DeviceId implements Comparable<DeviceId> {
    /** RFC 4648 base32; a character's value is its index. */
    static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    /** Characters of the text form without dashes: 52 base32 characters plus 4 check characters. */
    public static final int LENGTH = 56;
    private static final int RADIX = 32;
    private static final int DATA_CHARS = 52;
    private static final int GROUP_DATA_CHARS = 13;
    private static final int CHECK_GROUPS = 4;
    private static final int PRINTED_GROUP = 7;
    private static final int SHORT_FORM_CHARS = 7;

    private final Hash hash;
    private final String text;
    private final long shortId;

    private DeviceId(Hash hash) {
        this.hash = hash;
        this.text = format(hash.toBytes());
        this.shortId = firstLong(hash.toBytes());
    }

    public static DeviceId of(Hash hash) {
        return new DeviceId(Objects.requireNonNull(hash, "hash"));
    }

    /** The ID of the device that presents {@code certificate}. */
    public static DeviceId of(X509Certificate certificate) {
        try {
            return new DeviceId(Hash.sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            // A certificate parsed from DER (files, TLS handshakes) always re-encodes; one that does not is not ours.
            throw new IllegalArgumentException("certificate cannot be DER-encoded: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the text form in upper or lower case, with or without dashes and spaces.
     *
     * @throws IllegalArgumentException naming what is wrong: a character outside base32, the length, the group
     *     whose check character fails, or non-zero padding bits
     */
    public static DeviceId parse(String text) {
        String chars = normalize(text);
        if (chars.length() != LENGTH) {
            throw new IllegalArgumentException(
                    "device ID has " + chars.length() + " characters, expected " + LENGTH);
        }
        StringBuilder data = new StringBuilder(DATA_CHARS);
        for (int group = 0; group < CHECK_GROUPS; group++) {
            String withCheck = chars.substring(group * (GROUP_DATA_CHARS + 1), (group + 1) * (GROUP_DATA_CHARS + 1));
            String groupData = withCheck.substring(0, GROUP_DATA_CHARS);
            if (withCheck.charAt(GROUP_DATA_CHARS) != checkCharacter(groupData)) {
                throw new IllegalArgumentException("check character of group " + (group + 1)
                        + " is wrong: a character was mistyped in '" + withCheck.substring(0, PRINTED_GROUP) + "-"
                        + withCheck.substring(PRINTED_GROUP) + "'");
            }
            data.append(groupData);
        }
        // 52 characters carry 260 bits; the last character's low 4 bits are padding and must be zero, or two texts
        // would name one ID and toString() would not give back what was parsed.
        char last = data.charAt(DATA_CHARS - 1);
        if ((ALPHABET.indexOf(last) & 0x0f) != 0) {
            throw new IllegalArgumentException("device ID cannot end its last group with '" + last
                    + "' before the check character: only 'A' or 'Q' can stand there (the last 4 bits are padding)");
        }
        return new DeviceId(Hash.of(decodeBase32(data)));
    }

    public Hash hash() {
        return hash;
    }

    /** The first 7 characters of the text form: short enough for file names, long enough to tell devices apart. */
    public String shortForm() {
        return text.substring(0, SHORT_FORM_CHARS);
    }

    /** The first 8 bytes of the hash, big-endian: this device's key in version vectors. */
    public long shortId() {
        return shortId;
    }

    /** Orders by unsigned bytes of the hash, as {@link Hash} does. */
    @Override
    public int compareTo(DeviceId other) {
        return hash.compareTo(other.hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceId other && hash.equals(other.hash);
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    /** The human form, e.g. {@code AAAQEAY-EAUDAO5-CAJBIFQ-YDIOB4X-IBCEQTC-QKRMFYM-YDENBWH-A5DYPQS}. */
    @Override
    public String toString() {
        return text;
    }

    private static String normalize(String text) {
        StringBuilder chars = new StringBuilder(LENGTH);
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            // isSpaceChar adds the no-break space that text copied from a web page or chat may carry.
            if (codePoint == '-' || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
                continue;
            }
            // ASCII-only folding: Character.toUpperCase would take the dotless 'ı' for 'I' and the long 'ſ' for 'S'.
            int upper = codePoint >= 'a' && codePoint <= 'z' ? codePoint - ('a' - 'A') : codePoint;
            if (ALPHABET.indexOf(upper) < 0) {
                throw new IllegalArgumentException("'" + new String(Character.toChars(codePoint)) + "'"
                        + (codePoint > ' ' && codePoint <= '~' ? "" : String.format(" (U+%04X)", codePoint))
                        + " is not a device ID character (base32 uses A-Z and 2-7)");
            }
            chars.append((char) upper);
        }
        return chars.toString();
    }

    private static String format(byte[] bytes) {
        String data = encodeBase32(bytes);
        StringBuilder withChecks = new StringBuilder(LENGTH);
        for (int group = 0; group < CHECK_GROUPS; group++) {
            String groupData = data.substring(group * GROUP_DATA_CHARS, (group + 1) * GROUP_DATA_CHARS);
            withChecks.append(groupData).append(checkCharacter(groupData));
        }
        StringBuilder text = new StringBuilder(LENGTH + LENGTH / PRINTED_GROUP - 1);
        for (int i = 0; i < LENGTH; i += PRINTED_GROUP) {
            if (i > 0) {
                text.append('-');
            }
            text.append(withChecks, i, i + PRINTED_GROUP);
        }
        return text.toString();
    }

    /** RFC 4648 base32 without padding: 5 bits per character, most significant first, zero bits fill the end. */
    private static String encodeBase32(byte[] bytes) {
        StringBuilder out = new StringBuilder(DATA_CHARS);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.append(ALPHABET.charAt((buffer >>> bits) & 0x1f));
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 0x1f));
        }
        return out.toString();
    }

    private static byte[] decodeBase32(CharSequence chars) {
        byte[] out = new byte[Hash.BYTES];
        int buffer = 0;
        int bits = 0;
        int length = 0;
        for (int i = 0; i < chars.length(); i++) {
            buffer = (buffer << 5) | ALPHABET.indexOf(chars.charAt(i));
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[length++] = (byte) (buffer >>> bits);
            }
        }
        return out;
    }

    /**
     * Luhn mod N with N = 32 (the generating form): from the rightmost character leftwards, values are weighted
     * 2, 1, 2, ...; a product p counts as p / 32 + p % 32; the check value brings the sum to a multiple of 32. It
     * catches every single substitution, and every swap of two adjacent different characters except 'A' with '7'
     * (values 0 and 31), like decimal Luhn misses 09 with 90.
     */
    static char checkCharacter(CharSequence groupData) {
        int factor = 2;
        int sum = 0;
        for (int i = groupData.length() - 1; i >= 0; i--) {
            int addend = factor * ALPHABET.indexOf(groupData.charAt(i));
            factor = factor == 2 ? 1 : 2;
            sum += addend / RADIX + addend % RADIX;
        }
        return ALPHABET.charAt((RADIX - sum % RADIX) % RADIX);
    }

    private static long firstLong(byte[] bytes) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }
}
