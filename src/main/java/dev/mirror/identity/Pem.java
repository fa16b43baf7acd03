package dev.mirror.identity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The PEM text form (RFC 7468) of one DER block: a BEGIN line, base64 in lines of 64, an END line, LF endings.
 * Decoding tolerates CR, blank lines and text around the block (what editors and OpenSSL add) but not a single
 * corrupt base64 character. Stateless.
 */
final class Pem {
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String CERTIFICATE = "CERTIFICATE";
    private static final int LINE_CHARS = 64;

    private Pem() {
    }

    static byte[] encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(LINE_CHARS, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The DER bytes of the {@code label} block in {@code text}, read from {@code file} (named in errors). */
    static byte[] decode(String label, byte[] text, Path file) throws IdentityException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        if (text.length == 0) {
            throw IdentityException.damaged(file, "it is empty");
        }
        // A non-ASCII byte decodes to U+FFFD, which the base64 decoder then rejects.
        String[] lines = new String(text, StandardCharsets.US_ASCII).split("\r?\n", -1);
        int line = 0;
        while (line < lines.length && !lines[line].strip().equals(begin)) {
            line++;
        }
        if (line == lines.length) {
            throw IdentityException.damaged(file, "it has no '" + begin + "' line");
        }
        StringBuilder base64 = new StringBuilder();
        for (line++; line < lines.length && !lines[line].strip().equals(end); line++) {
            base64.append(lines[line].strip());
        }
        if (line == lines.length) {
            throw IdentityException.damaged(file, "it ends before its '" + end + "' line (truncated)");
        }
        if (base64.length() == 0) {
            throw IdentityException.damaged(file, "it holds nothing between its BEGIN and END lines");
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            throw IdentityException.damaged(file, "its base64 text is corrupt (" + e.getMessage() + ")", e);
        }
    }
}
