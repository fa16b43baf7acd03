package dev.mirror.cli;

import picocli.CommandLine;

/** The process exit codes, documented in README.md; mapped from exceptions in {@link MirrorCommand} only. */
final class ExitCodes {
    static final int OK = 0;
    static final int RUNTIME = 1;
    static final int USAGE = CommandLine.ExitCode.USAGE;
    static final int NOT_RUNNING = 3;
    /** {@code status --wait}: the timeout passed before the folder was in sync. */
    static final int NOT_IN_SYNC = 4;

    private ExitCodes() {
    }
}
