package dev.mirror.cli;

import dev.mirror.testing.Cli;
import dev.mirror.testing.FlatJson;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code mirror scan --json} printed, read as a script would read it, checking the promise of DESIGN.md on
 * the way: exactly one line on stdout, one JSON object with keys root, files, dirs and bytes, the root in lowercase
 * hex.
 */
record ScanJson(String root, long files, long dirs, long bytes) {
    private static final Pattern LOWERCASE_SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Reads a successful run's stdout; fails the test, showing the whole run, if it breaks the promise. */
    static ScanJson of(Cli.Result run) {
        assertEquals(0, run.exitCode(), run::toString);
        String out = run.out();
        assertTrue(out.endsWith("\n") && out.indexOf('\n') == out.length() - 1 && out.indexOf('\r') < 0,
                () -> "stdout is not exactly one line:\n" + run);
        Map<String, Object> json = FlatJson.parseObject(out.strip());
        assertEquals(Set.of("root", "files", "dirs", "bytes"), json.keySet(), run::toString);
        Object root = json.get("root");
        assertTrue(root instanceof String hex && LOWERCASE_SHA256.matcher(hex).matches(),
                () -> "root is not 64 lowercase hex digits:\n" + run);
        return new ScanJson((String) root, count(json, "files", run), count(json, "dirs", run),
                count(json, "bytes", run));
    }

    private static long count(Map<String, Object> json, String key, Cli.Result run) {
        Object value = json.get(key);
        assertTrue(value instanceof Long number && number >= 0, () -> key + " is not a count:\n" + run);
        return (Long) value;
    }
}
