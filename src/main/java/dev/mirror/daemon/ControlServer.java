package dev.mirror.daemon;

import dev.mirror.core.NamedThreadFactory;
import dev.mirror.store.FolderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The running peer's control socket, {@code .mirror/control.sock} (docs/daemon.md): a Unix domain socket, owner-only
 * like the directory it is in. A client sends one command line ({@code status}, {@code invite}, {@code restore …})
 * and reads one line back, then the connection closes. One thread reads the commands and writes the answers that
 * are ready at once; an answer that waits (for the folder to be in sync) is written when it is ready.
 */
final class ControlServer implements AutoCloseable {
    static final String SOCKET = "control.sock";
    /** The longest command read: a restore of a 4,096-byte path, percent-encoded; anything longer is not ours. */
    static final int MAX_COMMAND_BYTES = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final ServerSocketChannel server;
    private final Path path;
    private final Function<String, CompletionStage<String>> answer;
    private final Thread thread;

    private ControlServer(ServerSocketChannel server, Path path, Function<String, CompletionStage<String>> answer) {
        this.server = server;
        this.path = path;
        this.answer = answer;
        this.thread = new NamedThreadFactory("mirror-control").newThread(this::serve);
    }

    static ControlServer start(Path stateDir, Function<String, CompletionStage<String>> answer) throws IOException {
        Path path = stateDir.resolve(SOCKET);
        // We hold the folder lock, so a socket file here was left by a process that died: it answers nobody.
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new FolderException("Cannot open the control socket " + path + " (" + e.getMessage() + "); a path "
                    + "this long may be over the system's limit of about 100 bytes for socket paths.");
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(server, path, answer);
        control.thread.start();
        return control;
    }

    private void serve() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.debug("Control socket: {}", e.getMessage());
                }
                continue;
            }
            try {
                String command = readLine(client);
                CompletionStage<String> reply = command == null ? CompletableFuture.completedFuture("error no command")
                        : answer.apply(command);
                // Most answers are ready at once and written here; a wait is answered later, from another thread,
                // while this one goes on answering others.
                reply.whenComplete((text, error) -> reply(client, text, error));
            } catch (IOException | RuntimeException e) {
                reply(client, null, e);
            }
        }
    }

    /** Writes {@code text} to {@code client} and closes it; on {@code error} just closes it. */
    private void reply(SocketChannel client, String text, Throwable error) {
        try (client) {
            if (error != null) {
                if (error instanceof IOException) {
                    LOG.debug("Control client: {}", error.getMessage());
                } else {
                    LOG.warn("Control command failed", error);
                }
                return;
            }
            ByteBuffer out = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                client.write(out);
            }
        } catch (IOException e) {
            LOG.debug("Control client: {}", e.getMessage());
        }
    }

    /** One line from {@code channel}, without its newline; null if it ended or grew too long first. */
    static String readLine(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_COMMAND_BYTES);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
            for (int i = 0; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n') {
                    return new String(buffer.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
