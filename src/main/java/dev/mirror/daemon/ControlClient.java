package dev.mirror.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Asks the peer running on a folder over its control socket (see {@link ControlServer}). */
public final class ControlClient {
    private ControlClient() {
    }

    /** The command that waits up to {@code millis} for the folder to be in sync ({@link SyncWaits}). */
    public static String waitInSync(long millis) {
        return ControlCommands.WAIT + " " + millis;
    }

    /** Whether the answer to {@link #waitInSync} says in sync (else the wait timed out). */
    public static boolean isInSync(String answer) {
        return SyncWaits.IN_SYNC.equals(answer);
    }

    /**
     * Sends {@code command} to the peer running on the folder whose state directory is {@code stateDir}.
     *
     * @return its one-line answer, or empty if no peer is running there
     */
    public static Optional<String> ask(Path stateDir, String command) throws IOException {
        Path socket = stateDir.resolve(ControlServer.SOCKET);
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return Optional.empty(); // a socket file nobody listens on: the peer died
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (channel.read(in) >= 0) {
                reply.write(in.array(), 0, in.position());
                in.clear();
            }
            String text = reply.toString(StandardCharsets.UTF_8).strip();
            if (text.startsWith("error ")) {
                // The command's first word only: a restore request carries a percent-encoded path.
                throw new IOException("The running peer refused '" + command.split(" ", 2)[0] + "': "
                        + text.substring(6));
            }
            return Optional.of(text);
        }
    }
}
