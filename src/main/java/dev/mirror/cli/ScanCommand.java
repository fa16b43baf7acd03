package dev.mirror.cli;

import dev.mirror.daemon.Folder;
import dev.mirror.scan.ScanProblem;
import dev.mirror.scan.ScanProgress;
import dev.mirror.tree.ScanReport;
import dev.mirror.tree.TreeSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mirror scan}: indexes the folder now and prints its root hash and totals. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Index DIR now: read what changed since the last scan and print the root hash, files, "
                + "directories and bytes.", "Paths that cannot be indexed are listed on standard error; the scan "
                + "goes on without them."},
        footer = {"", "Examples:", "  mirror scan ~/Sync", "  mirror scan --json ~/Sync"
                + "    # {\"root\":\"…\",\"files\":12,\"dirs\":3,\"bytes\":4096}"})
final class ScanCommand implements Callable<Integer> {
    /** Problems listed one by one; beyond this only the count is printed. */
    private static final int PROBLEMS_SHOWN = 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Option(names = "--json", description = "Print one JSON object: {\"root\",\"files\",\"dirs\",\"bytes\"}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScanProgress progress = new ScanProgress();
        ScanReport report;
        try (Folder folder = Folder.open(directory);
             ProgressLine line = ProgressLine.startIfTerminal(progress)) {
            report = folder.scan(progress);
            line.finish();
            for (String notice : folder.notices()) {
                err.println("mirror: " + notice);
            }
        }
        printProblems(err, report);
        TreeSummary summary = report.summary();
        if (json) {
            out.println("{\"root\":\"" + summary.treeHash().hex() + "\",\"files\":" + summary.files()
                    + ",\"dirs\":" + summary.dirs() + ",\"bytes\":" + summary.bytes() + "}");
        } else {
            out.println("root   " + summary.treeHash().hex());
            out.println("files  " + Units.count(summary.files()));
            out.println("dirs   " + Units.count(summary.dirs()));
            out.println("bytes  " + Units.bytes(summary.bytes()));
            out.println("read   " + Units.count(report.filesRead()) + " files, " + Units.bytes(report.bytesRead()));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printProblems(PrintWriter err, ScanReport report) {
        if (report.problemCount() == 0) {
            return;
        }
        err.println("mirror: " + Units.count(report.problemCount()) + (report.problemCount() == 1
                ? " path was" : " paths were") + " not indexed as it is:");
        int shown = 0;
        for (ScanProblem problem : report.problems()) {
            if (shown++ == PROBLEMS_SHOWN) {
                break;
            }
            err.println("  " + problem);
        }
        if (report.problemCount() > PROBLEMS_SHOWN) {
            err.println("  … and " + Units.count(report.problemCount() - PROBLEMS_SHOWN) + " more");
        }
        err.flush();
    }
}
