package dev.mirror.tree;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a partial rescan ({@link Indexer#rescan}) must look at: directories whose own children changed, and subtrees
 * in which anything may have changed (events were lost there). Every other directory is taken to be as the index
 * holds it, unless its own stat says otherwise. Immutable and thread-safe.
 */
public final class RescanScope {
    private final Set<TreePath> directories;
    private final Set<TreePath> subtrees;
    /** Each directory above one to list, with the names of its children that lead there. */
    private final Map<TreePath, Set<String>> onTheWay = new HashMap<>();

    /**
     * @param directories directories to list again, each on its own (their subdirectories only if those changed)
     * @param subtrees directories to list again with everything below them
     */
    public RescanScope(Set<TreePath> directories, Set<TreePath> subtrees) {
        this.directories = Set.copyOf(directories);
        this.subtrees = Set.copyOf(subtrees);
        for (Set<TreePath> set : List.of(this.directories, this.subtrees)) {
            for (TreePath dir : set) {
                for (TreePath p = dir; !p.isRoot(); p = p.parent()) {
                    onTheWay.computeIfAbsent(p.parent(), parent -> new HashSet<>()).add(p.name());
                }
            }
        }
    }

    /** Whether the whole folder must be looked at, so that a partial rescan would be a full scan. */
    public boolean isWholeFolder() {
        return subtrees.contains(TreePath.ROOT);
    }

    public boolean isEmpty() {
        return directories.isEmpty() && subtrees.isEmpty();
    }

    /** Whether {@code dir}'s own children must be listed and compared with the index. */
    boolean lists(TreePath dir) {
        if (directories.contains(dir)) {
            return true;
        }
        for (TreePath p = dir; ; p = p.parent()) {
            if (subtrees.contains(p)) {
                return true;
            }
            if (p.isRoot()) {
                return false;
            }
        }
    }

    /** Whether the rescan must enter {@code dir}: it is listed, or something to list lies below it. */
    boolean reaches(TreePath dir) {
        return onTheWay.containsKey(dir) || lists(dir);
    }

    /** The names of {@code dir}'s children that lead down to a directory to list. */
    Set<String> childrenOnTheWay(TreePath dir) {
        return onTheWay.getOrDefault(dir, Set.of());
    }

    @Override
    public String toString() {
        return "RescanScope[directories=" + directories + ", subtrees=" + subtrees + "]";
    }
}
