package dev.mirror.testing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses one flat JSON object, as {@code mirror scan --json} prints: values are strings, integers, booleans or
 * null; a nested object or array, a fraction, trailing text or a repeated key is rejected. Strict on purpose, so a
 * test reading output through it also checks that the output is JSON. Stateless and thread-safe.
 */
public final class FlatJson {
    private final String text;
    private int position;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * The object's members in their order: {@code String}, {@code Long}, {@code Boolean}, or {@code null} values.
     *
     * @throws IllegalArgumentException naming the offset and what was expected there
     */
    public static Map<String, Object> parseObject(String text) {
        FlatJson parser = new FlatJson(text);
        Map<String, Object> members = parser.object();
        parser.skipSpace();
        if (parser.position != text.length()) {
            throw parser.error("end of text");
        }
        return Collections.unmodifiableMap(members);
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        expect('{');
        skipSpace();
        if (peek() == '}') {
            position++;
            return members;
        }
        do {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (members.containsKey(key)) {
                throw error("a key other than the repeated \"" + key + "\"");
            }
            members.put(key, value());
            skipSpace();
        } while (consume(','));
        expect('}');
        return members;
    }

    private Object value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return integer();
        }
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, position)) {
                position += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error("a string, integer, true, false or null (nesting is not supported)");
    }

    private String string() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = next("the rest of a string");
            if (c == '"') {
                return value.toString();
            }
            if (c < 0x20) {
                throw error("no control character inside a string");
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            char escaped = next("an escape");
            switch (escaped) {
                case '"': case '\\': case '/': value.append(escaped); break;
                case 'b': value.append('\b'); break;
                case 'f': value.append('\f'); break;
                case 'n': value.append('\n'); break;
                case 'r': value.append('\r'); break;
                case 't': value.append('\t'); break;
                case 'u':
                    if (position + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    value.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                    break;
                default:
                    throw error("a valid escape, not '\\" + escaped + "'");
            }
        }
    }

    private Long integer() {
        int start = position;
        consume('-');
        while (position < text.length() && Character.isDigit(text.charAt(position))) {
            position++;
        }
        String digits = text.substring(start, position);
        if (digits.isEmpty() || digits.equals("-") || digits.matches("-?0\\d+")) {
            throw error("an integer without leading zeros");
        }
        if (position < text.length() && ".eE".indexOf(text.charAt(position)) >= 0) {
            throw error("an integer (fractions are not supported)");
        }
        return Long.parseLong(digits);
    }

    private void skipSpace() {
        while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
    }

    private char peek() {
        if (position >= text.length()) {
            throw error("more text");
        }
        return text.charAt(position);
    }

    private char next(String what) {
        if (position >= text.length()) {
            throw error(what);
        }
        return text.charAt(position++);
    }

    private boolean consume(char c) {
        if (position < text.length() && text.charAt(position) == c) {
            position++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw error("'" + c + "'");
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("not a flat JSON object: expected " + expected + " at offset " + position
                + " of " + text);
    }
}
