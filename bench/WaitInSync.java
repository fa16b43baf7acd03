/*
 * Waits until two running mirror peers report that they are in sync, and prints when that happened. bench/mirror.sh
 * uses it to time a sync from outside: polling `mirror status` would start a JVM per poll (~0.3 s each), which is
 * coarser than what it measures; this one process polls both peers' control sockets every few milliseconds.
 * No dependencies: compile it with javac or run it with the JDK's single-file launcher (JDK 16+: Unix sockets).
 *
 *   java bench/WaitInSync.java SRC DST [--interval-ms 20] [--timeout-s 900] [--changed-from ROOT] [--cli BIN]
 *
 * Each poll sends the line "status" to DIR/.mirror/control.sock of both folders and reads one JSON line back (with
 * --cli BIN it runs `BIN status DIR --json` instead: much slower, for a CLI whose socket differs). A peer that is
 * not running yet (no socket, connection refused, exit 3) just counts as "not in sync yet". Before each poll it asks
 * DST, then SRC, to answer once in sync ("wait-in-sync", what `mirror status --wait` sends), so the peers are not
 * polled while they work and the moment is seen as it happens (the peer answers when its state changes); with a
 * peer that does not know the command (an older build) it polls every interval instead, as it did before.
 *
 * In sync means: SRC and DST report the same non-empty "root"; SRC lists DST's device as a peer with "inSync" true,
 * and DST lists SRC's; and with --changed-from, the root differs from ROOT (an in-sync state left from before a
 * change must not count as the end of syncing that change).
 *
 * Output: "ready" once it is polling (start the timed action after that line, so this JVM's start is not in the
 * time), then on success one line
 *   done EPOCH_MICROS ROOT POLLS MEAN_POLL_MICROS PEER_BYTES
 * where EPOCH_MICROS is the wall clock (CLOCK_REALTIME, as bash's EPOCHREALTIME) of the poll that saw it and
 * PEER_BYTES is mirror's own count of what crossed the link meanwhile ("bytesIn" + "bytesOut" over SRC's peers, now
 * minus at "ready"; -1 if SRC reports no such numbers), then the last status of SRC and of DST, one JSON line
 * each. Exit 0 on success, 1 on timeout (the last statuses or errors on stderr), 2 for a usage error.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

public final class WaitInSync {
    private static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    private final Path src;
    private final Path dst;
    private final String cli;
    /** Whether to wait on the peers ("wait-in-sync") between polls; off with --cli or a peer that cannot. */
    private boolean waits;

    private WaitInSync(Path src, Path dst, String cli) {
        this.src = src;
        this.dst = dst;
        this.cli = cli;
        this.waits = cli == null;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage("missing SRC and DST");
        }
        long intervalMs = 20;
        long timeoutS = 900;
        String changedFrom = null;
        String cli = null;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--interval-ms" -> intervalMs = number(args[i], args[i + 1]);
                case "--timeout-s" -> timeoutS = number(args[i], args[i + 1]);
                case "--changed-from" -> changedFrom = args[i + 1];
                case "--cli" -> cli = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        WaitInSync wait = new WaitInSync(Paths.get(args[0]), Paths.get(args[1]), cli);
        System.exit(wait.run(intervalMs, timeoutS, changedFrom));
    }

    private int run(long intervalMs, long timeoutS, String changedFrom) throws InterruptedException {
        // One poll before "ready" loads and links the classes a poll uses, so the first timed poll is not slower.
        Poll last = poll();
        long peerBytesAtStart = Math.max(0, last.srcPeerBytes());
        System.out.println("ready");
        System.out.flush();
        long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
        long polls = 0;
        long pollNanos = 0;
        while (true) {
            long start = System.nanoTime();
            boolean waited = waits && awaitBoth(deadline, changedFrom);
            long pollStart = System.nanoTime();
            last = poll();
            Instant seen = Instant.now();
            polls++;
            pollNanos += System.nanoTime() - pollStart; // the poll alone, not the wait before it
            if (last.inSync(changedFrom)) {
                long micros = seen.getEpochSecond() * 1_000_000L + seen.getNano() / 1_000;
                long peerBytes = last.srcPeerBytes();
                System.out.printf("done %d %s %d %d %d%n", micros, last.srcStatus.get("root"), polls,
                        pollNanos / polls / 1_000, peerBytes < 0 ? -1 : peerBytes - peerBytesAtStart);
                System.out.println(last.srcLine);
                System.out.println(last.dstLine);
                return 0;
            }
            if (System.nanoTime() > deadline) {
                System.err.printf("WaitInSync: not in sync after %d s (%d polls). Last answers:%n  %s: %s%n  %s: %s%n",
                        timeoutS, polls, src, last.srcLine, dst, last.dstLine);
                return 1;
            }
            long sleepMs = intervalMs - (System.nanoTime() - start) / 1_000_000;
            if (!waited && sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
        }
    }

    /**
     * Waits on DST, then on SRC, for the peer to say it is in sync ("wait-in-sync MILLIS [ROOT]"), so that neither
     * peer answers a poll every few milliseconds meanwhile, and the moment is seen as the peer's state changes.
     * False if that could not be asked (a peer not up yet: poll again after the interval); a peer that does not know
     * the command turns waiting off for good, and this goes on polling as before.
     */
    private boolean awaitBoth(long deadline, String changedFrom) {
        for (Path dir : List.of(dst, src)) {
            long millis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            String command = "wait-in-sync " + millis + (changedFrom == null ? "" : " " + changedFrom);
            String answer;
            try {
                answer = ask(socket(dir), command);
            } catch (IOException e) {
                return false;
            }
            if (answer.startsWith("error unknown command")) {
                System.err.println("WaitInSync: " + dir + " does not know wait-in-sync; polling every interval");
                waits = false;
                return false;
            }
            if (!answer.equals("in-sync")) {
                return false;
            }
        }
        return true;
    }

    /** Both folders' status at one moment (SRC first, then DST, back to back). */
    private Poll poll() {
        String srcLine = status(src);
        String dstLine = status(dst);
        return new Poll(srcLine, dstLine);
    }

    /** One status JSON line, or a short description of why there is none (starting with '!'). */
    private String status(Path dir) {
        try {
            return cli == null ? ask(socket(dir), "status") : viaCli(dir);
        } catch (IOException e) {
            return "!" + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "!interrupted";
        }
    }

    private static Path socket(Path dir) {
        return dir.resolve(".mirror").resolve("control.sock");
    }

    /** One command on a control socket, its one-line answer back. */
    private static String ask(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        return reply.toString(StandardCharsets.UTF_8);
                    }
                    reply.write(b);
                }
                buffer.clear();
                if (reply.size() > MAX_REPLY_BYTES) {
                    throw new IOException("status reply longer than " + MAX_REPLY_BYTES + " bytes");
                }
            }
            return reply.size() > 0 ? reply.toString(StandardCharsets.UTF_8) : "!closed without a reply";
        }
    }

    private String viaCli(Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(cli, "status", dir.toString(), "--json")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        int status = process.waitFor();
        String text = new String(out, StandardCharsets.UTF_8).strip();
        return status == 0 ? text : "!exit " + status + " " + text;
    }

    private static final class Poll {
        final String srcLine;
        final String dstLine;
        final Map<?, ?> srcStatus;
        final Map<?, ?> dstStatus;

        Poll(String srcLine, String dstLine) {
            this.srcLine = srcLine;
            this.dstLine = dstLine;
            this.srcStatus = parseOrEmpty(srcLine);
            this.dstStatus = parseOrEmpty(dstLine);
        }

        boolean inSync(String changedFrom) {
            Object root = srcStatus.get("root");
            if (!(root instanceof String) || ((String) root).isEmpty() || !root.equals(dstStatus.get("root"))) {
                return false;
            }
            if (changedFrom != null && changedFrom.equals(root)) {
                return false;
            }
            return seesInSync(srcStatus, dstStatus.get("device")) && seesInSync(dstStatus, srcStatus.get("device"));
        }

        /** bytesIn + bytesOut summed over SRC's peers, or -1 when it lists none with those numbers. */
        long srcPeerBytes() {
            long sum = -1;
            if (srcStatus.get("peers") instanceof List<?> peers) {
                for (Object peer : peers) {
                    if (peer instanceof Map<?, ?> p && p.get("bytesIn") instanceof Number in
                            && p.get("bytesOut") instanceof Number out) {
                        sum = Math.max(sum, 0) + in.longValue() + out.longValue();
                    }
                }
            }
            return sum;
        }

        /** Whether STATUS lists the peer DEVICE as connected (when it says) and in sync. */
        private static boolean seesInSync(Map<?, ?> status, Object device) {
            if (device == null || !(status.get("peers") instanceof List<?> peers)) {
                return false;
            }
            for (Object peer : peers) {
                if (peer instanceof Map<?, ?> p && Objects.equals(p.get("device"), device)) {
                    return Boolean.TRUE.equals(p.get("inSync")) && !Boolean.FALSE.equals(p.get("connected"));
                }
            }
            return false;
        }

        private static Map<?, ?> parseOrEmpty(String line) {
            if (line.startsWith("!")) {
                return Map.of();
            }
            try {
                return new Json(line).parse() instanceof Map<?, ?> map ? map : Map.of();
            } catch (RuntimeException e) {
                return Map.of(); // not JSON (yet): not in sync; the line itself is shown on timeout
            }
        }
    }

    /** Just enough JSON: objects, arrays, strings (with escapes), numbers, true, false, null. */
    private static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object parse() {
            Object value = value();
            skipSpace();
            if (at != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e); // \" \\ \/
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw error("unexpected character");
            }
            String digits = text.substring(start, at);
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return Double.parseDouble(digits);
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("expected " + word);
            }
            at += word.length();
            return value;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private char next() {
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(at++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at " + at);
        }
    }

    private static long number(String option, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(option + " needs a positive integer, got '" + value + "'");
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("WaitInSync: " + problem + ".\nUsage: java bench/WaitInSync.java SRC DST"
                + " [--interval-ms 20] [--timeout-s 900] [--changed-from ROOT] [--cli MIRROR_BIN]");
        System.exit(2);
    }
}
