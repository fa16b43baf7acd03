package dev.mirror.cli;

import dev.mirror.daemon.Daemon;

import java.io.PrintWriter;

/** Keeps a started daemon running until the process is told to stop (Ctrl-C, SIGTERM), then closes it cleanly. */
final class PeerRunner {
    private PeerRunner() {
    }

    static int runUntilStopped(Daemon daemon, PrintWriter err, String what) throws InterruptedException {
        Thread hook = new Thread(daemon::close, "mirror-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("mirror: " + what + " on " + daemon.boundAddress().format() + " as " + daemon.deviceId()
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
