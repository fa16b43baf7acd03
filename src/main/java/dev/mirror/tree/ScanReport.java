package dev.mirror.tree;

import dev.mirror.scan.ScanProblem;

import java.util.List;
import java.util.Objects;

/**
 * What a scan found: the folder's summary, how much content it had to read, and the paths it could not index.
 *
 * @param problems the first problems found (at most {@link Indexer#MAX_PROBLEMS_KEPT}); {@code problemCount} has all
 */
public record ScanReport(TreeSummary summary, long filesRead, long bytesRead, List<ScanProblem> problems,
                         long problemCount) {
    public ScanReport {
        Objects.requireNonNull(summary, "summary");
        problems = List.copyOf(problems);
    }
}
