package dev.mirror.watch;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What changed in the folder, at directory granularity, for a partial rescan.
 *
 * @param directories absolute directories whose own children changed (created, modified, deleted, renamed)
 * @param subtrees absolute directories in which anything may have changed: new directories (their content appeared
 *     before they were watched) and directories whose events were lost (overflow)
 */
public record ChangeSet(Set<Path> directories, Set<Path> subtrees) {
    public static final ChangeSet NONE = new ChangeSet(Set.of(), Set.of());

    public ChangeSet {
        directories = Set.copyOf(directories);
        subtrees = Set.copyOf(subtrees);
    }

    /** Everything under {@code root}: what a periodic scan looks at. */
    public static ChangeSet whole(Path root) {
        return new ChangeSet(Set.of(), Set.of(root));
    }

    public boolean isEmpty() {
        return directories.isEmpty() && subtrees.isEmpty();
    }

    /** Both sets of changes together. */
    public ChangeSet with(ChangeSet other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Set<Path> dirs = new HashSet<>(directories);
        dirs.addAll(other.directories);
        Set<Path> trees = new HashSet<>(subtrees);
        trees.addAll(other.subtrees);
        return new ChangeSet(dirs, trees);
    }
}
