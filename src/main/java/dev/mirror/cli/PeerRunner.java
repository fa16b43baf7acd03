package dev.mirror.cli;

import dev.mirror.daemon.Daemon;
import dev.mirror.identity.PeerAddress;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Keeps a started daemon running until the process is told to stop (Ctrl-C, SIGTERM), then closes it cleanly. */
final class PeerRunner {
    private PeerRunner() {
    }

    /** "all interfaces, port 7733" for a wildcard address, which would print as [0:0:0:0:0:0:0:0]:7733. */
    private static String where(PeerAddress bound) {
        try {
            if (InetAddress.getByName(bound.host()).isAnyLocalAddress()) {
                return "all interfaces, port " + bound.port();
            }
        } catch (UnknownHostException e) {
            // a name, not a literal: print it as it is
        }
        return bound.format();
    }

    static int runUntilStopped(Daemon daemon, PrintWriter err, String what) throws InterruptedException {
        Thread hook = new Thread(daemon::close, "mirror-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("mirror: " + what + " on " + where(daemon.boundAddress()) + " as " + daemon.deviceId()
                + "; stop with Ctrl-C.");
        err.flush();
        daemon.awaitClosed();
        if (daemon.stopReason().isPresent()) {
            err.println("mirror: " + daemon.stopReason().get());
            return ExitCodes.RUNTIME;
        }
        return ExitCodes.OK;
    }
}
