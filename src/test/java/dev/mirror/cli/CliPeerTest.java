package dev.mirror.cli;

import dev.mirror.core.NamedThreadFactory;
import dev.mirror.daemon.Folder;
import dev.mirror.testing.Cli;
import dev.mirror.testing.Processes;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands around a running peer — {@code serve}, {@code join}, {@code status}, {@code invite} — where no peer
 * can start or none is running: exit codes and the one sentence on stderr. One test runs {@code serve} in a child
 * JVM and asks it for its status from another.
 */
@Timeout(60)
class CliPeerTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern JOIN_LINE = Pattern.compile("mirror join 127\\.0\\.0\\.1:(\\d+)#[A-Za-z0-9_-]{66}");

    @TempDir
    Path folder;

    static Stream<String[]> malformedPeers() {
        return Stream.of(
                new String[] {"no port", "laptop",
                    "'laptop' is not HOST:PORT (write an IPv6 address as [ADDRESS]:PORT)."},
                new String[] {"a port that is no number", "laptop:http", "'http' in 'laptop:http' is not a port number."},
                new String[] {"a cut-off token", "127.0.0.1:7733#AAAA", "the invite token is damaged or from another "
                    + "version of mirror (3 bytes): was it copied whole?"},
                new String[] {"a token that is not base64url", "127.0.0.1:7733#a+b/c", "the invite token is damaged "
                    + "(not base64url): was it copied whole?"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPeers")
    void joinWithAMalformedPeerExitsTwoWithOneSentence(String description, String peer, String reason) {
        Cli.Result run = Cli.run("join", peer, folder.toString());

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("mirror: Invalid PEER: " + reason + "\nTry 'mirror join --help'.\n", run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(folder.resolve(".mirror")), "a usage error must not touch the folder");
    }

    @Test
    void serveOnATakenPortExitsOneNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String where = "127.0.0.1:" + taken.getLocalPort();

            Cli.Result run = Cli.run("serve", folder.toString(), "--listen", where);

            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("mirror: Cannot listen on " + where + ": the port is in use or not allowed; choose another "
                    + "with --listen HOST:PORT.\n", run.err());
            assertEquals("", run.out());
        }
        try (Folder released = Folder.open(folder, TestFolders.AHEAD, 1)) {
            assertEquals(folder.toRealPath(), released.path().toRealPath(), "the failed serve kept the folder lock");
        }
    }

    @Test
    void statusWithNoPeerRunningSaysSoAndExitsThree() {
        TestFolders.write(folder, "a.txt", "a");
        assertEquals(0, Cli.run("scan", folder.toString()).exitCode());

        Cli.Result run = Cli.run("status", folder.toString());

        assertEquals(3, run.exitCode(), run::toString);
        assertTrue(run.outLines().contains("peer     not running"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void statusJsonWithNoPeerRunningSaysRunningFalse() {
        assertEquals(0, Cli.run("scan", folder.toString()).exitCode());

        Cli.Result run = Cli.run("status", "--json", folder.toString());

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals(1, run.outLines().size(), run::toString);
        String json = run.outLines().get(0);
        assertTrue(json.startsWith("{") && json.endsWith("}"), run::toString);
        assertTrue(json.contains("\"running\":false"), run::toString);
        assertTrue(json.contains("\"listen\":null"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void inviteWithNoPeerRunningExitsThree() {
        assertEquals(0, Cli.run("scan", folder.toString()).exitCode());

        Cli.Result run = Cli.run("invite", folder.toString());

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals("mirror: No peer is running on " + folder + "; start one with 'mirror serve " + folder + "'.\n",
                run.err());
        assertEquals("", run.out());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"status", "invite"})
    void aCommandThatOnlyLooksSaysAFolderNeverSyncedIsNoneAndMakesNothingThere(String command) {
        TestFolders.write(folder, "a.txt", "a");

        Cli.Result run = Cli.run(command, folder.toString());

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals("mirror: " + folder + " is not a synced folder (it has no .mirror/); 'mirror serve " + folder
                + "' or 'mirror join HOST:PORT#TOKEN " + folder + "' makes it one.\n", run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(folder.resolve(".mirror")), "nothing made in the folder");
    }

    @Test
    void timeoutWithoutWaitIsAUsageError() {
        Cli.Result run = Cli.run("status", "--timeout", "5s", folder.toString());

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--timeout goes with --wait"), run::toString);
    }

    @Test
    @Tag("e2e")
    void servePrintsOneJoinLineAndAnswersStatusFromAnotherProcess() throws Exception {
        TestFolders.write(folder, "a.txt", "a");
        Process serve = Processes.mirror("serve", folder.toString(), "--listen", "127.0.0.1:0").start();
        ExecutorService readers = Executors.newFixedThreadPool(2, new NamedThreadFactory("serve-output"));
        try {
            serve.getOutputStream().close();
            BufferedReader stdout = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            Future<String> stderr = readers.submit(() -> new String(serve.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8));
            String line = readers.submit(stdout::readLine).get(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Matcher join = JOIN_LINE.matcher(String.valueOf(line));
            assertTrue(join.matches(), () -> "not a join line: " + line);

            Cli.Result status = Processes.run(CHILD_TIMEOUT, "status", "--json", folder.toString());

            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(status.out().contains("\"running\":true"), status::toString);
            assertTrue(status.out().contains("\"listen\":\"127.0.0.1:" + join.group(1) + "\""), status::toString);
            // Paired with nobody yet, so not in sync with anyone: the wait runs out, and the status still prints.
            Cli.Result waited = Processes.run(CHILD_TIMEOUT, "status", "--wait", "--timeout", "300ms", "--json",
                    folder.toString());
            assertEquals(4, waited.exitCode(), waited::toString);
            assertTrue(waited.out().contains("\"running\":true"), waited::toString);

            // SIGTERM, and the shutdown hook closes the peer. Through the handle: Process.destroy() would also close
            // our end of the pipes, before the rest of the output could be read.
            serve.toHandle().destroy();
            assertTrue(serve.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "serve ignored SIGTERM");
            String rest = readers.submit(() -> stdout.lines().collect(Collectors.joining("\n")))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("", rest, "serve printed more than the join line");
            assertFalse(stderr.get(10, TimeUnit.SECONDS).contains("\tat "), "a stack trace");
            assertEquals(3, Cli.run("status", folder.toString()).exitCode(), "still running after SIGTERM");
        } finally {
            if (serve.isAlive()) {
                Processes.kill(serve, CHILD_TIMEOUT);
            }
            readers.shutdownNow();
        }
    }
}
