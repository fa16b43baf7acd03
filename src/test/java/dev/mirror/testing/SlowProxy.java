package dev.mirror.testing;

import dev.mirror.core.NamedThreadFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that passes bytes from the target back to the client no faster than a set rate, and counts
 * them: a slow link, since this kernel has no netem (FIELD-NOTES.md), so that a transfer is still in progress when a
 * test acts, and a measure of what crossed it. The client's bytes pass unthrottled. Thread-safe; closing stops
 * listening and cuts every connection.
 */
public final class SlowProxy implements AutoCloseable {
    private static final int BUFFER_BYTES = 16 << 10;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long bytesPerSecond;
    private final AtomicLong toClient = new AtomicLong();
    private final ExecutorService threads = Executors.newCachedThreadPool(new NamedThreadFactory("slow-proxy"));

    /** Listens on 127.0.0.1 at a free port and forwards every connection to {@code target}. */
    public SlowProxy(InetSocketAddress target, long bytesPerSecond) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.bytesPerSecond = bytesPerSecond;
        threads.execute(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes passed from the target to clients so far. */
    public long bytesToClient() {
        return toClient.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                threads.execute(() -> pump(client, server, false));
                threads.execute(() -> pump(server, client, true));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean paced) {
        byte[] buffer = new byte[BUFFER_BYTES];
        long started = System.nanoTime();
        long sent = 0;
        try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (paced) {
                    sent += n;
                    // Pacing, not waiting for a condition: the link is slow by design.
                    long due = started + TimeUnit.SECONDS.toNanos(1) * sent / bytesPerSecond;
                    for (long early = due - System.nanoTime(); early > 0; early = due - System.nanoTime()) {
                        LockSupport.parkNanos(early);
                    }
                    toClient.addAndGet(n);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // One side went away (or the proxy closed): the finally of try-with-resources cuts the other.
        }
    }
}
