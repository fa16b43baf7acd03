package dev.mirror.tree;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Paths as the index orders them. */
class TreePathTest {
    @Test
    void depthCountsTheNamesEveryTimeItIsAsked() {
        TreePath deep = TreePath.of("a/b/é/c");
        assertEquals(4, deep.depth());
        assertEquals(4, deep.depth(), "the count kept from the first time");
        assertEquals(0, TreePath.ROOT.depth());
        assertEquals(1, TreePath.of("top").depth());
        assertEquals(5, deep.child("d").depth());
        assertEquals(3, deep.parent().depth());
    }

    @Test
    void byDepthThenByBytesIsTheOrderOfAPullsPhases() {
        List<TreePath> paths = new ArrayList<>(List.of(TreePath.of("b/c"), TreePath.of("z"), TreePath.of("a/b/c"),
                TreePath.of("é"), TreePath.of("a"), TreePath.of("b/a")));
        paths.sort(Comparator.comparingInt(TreePath::depth).thenComparing(path -> path));

        assertEquals(List.of("a", "z", "é", "b/a", "b/c", "a/b/c"), paths.stream().map(TreePath::toString).toList());
    }
}
