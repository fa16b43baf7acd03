package dev.mirror.sync;

import static dev.mirror.sync.Fixtures.A;
import static dev.mirror.sync.Fixtures.B;
import static dev.mirror.sync.Fixtures.C;
import static dev.mirror.sync.Fixtures.EARLIER;
import static dev.mirror.sync.Fixtures.LATER;
import static dev.mirror.sync.Fixtures.ONE;
import static dev.mirror.sync.Fixtures.TWO;
import static dev.mirror.sync.Fixtures.apply;
import static dev.mirror.sync.Fixtures.directory;
import static dev.mirror.sync.Fixtures.file;
import static dev.mirror.sync.Fixtures.mirrored;
import static dev.mirror.sync.Fixtures.symlink;
import static dev.mirror.sync.Fixtures.tombstone;
import static dev.mirror.sync.Fixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.sync.Decision.Conflict;
import dev.mirror.sync.Decision.InSync;
import dev.mirror.sync.Decision.MergeVersions;
import dev.mirror.sync.Decision.PeerPulls;
import dev.mirror.sync.Decision.Pull;
import dev.mirror.tree.Entry;
import dev.mirror.tree.EntryKind;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.VersionVector;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of docs/decisions.md, one sentence each. We are device A, the peer is device B; every case is also run
 * from B's side, which must reach the mirrored decision and the same end state.
 */
class ReconcilerTest {
    private static final Reconciler OURS = new Reconciler(A, B);
    private static final Reconciler THEIRS = new Reconciler(B, A);
    private static final TreePath REPORT = TreePath.of("docs/report.txt");
    private static final TreePath PHOTOS = TreePath.of("docs/photos");

    record Case(String sentence, TreePath path, Entry local, Entry remote, boolean liveChildrenRemain,
                Decision expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                // Ordered histories: the newer side wins, whatever it holds.
                c("neither side has ever seen the path: in sync", null, null, new InSync()),
                c("remote created a file we never had: pull",
                        null, file(ONE, EARLIER, v(B, 1)),
                        new Pull(file(ONE, EARLIER, v(B, 1)))),
                c("we created a file the remote never had: the peer pulls",
                        file(ONE, EARLIER, v(A, 1)), null, new PeerPulls()),
                c("both hold the same file under the same vector: in sync",
                        file(ONE, EARLIER, v(A, 1, B, 2)), file(ONE, EARLIER, v(A, 1, B, 2)), new InSync()),
                c("remote edited a file we never touched: pull",
                        file(ONE, EARLIER, v(A, 1)), file(TWO, LATER, v(A, 1, B, 2)),
                        new Pull(file(TWO, LATER, v(A, 1, B, 2)))),
                c("we edited a file the remote never touched: the peer pulls",
                        file(TWO, LATER, v(A, 2)), file(ONE, EARLIER, v(A, 1)), new PeerPulls()),
                c("remote edited with an older mtime than ours: versions decide, not clocks, so pull",
                        file(ONE, LATER, v(A, 1)), file(TWO, EARLIER, v(A, 1, B, 2)),
                        new Pull(file(TWO, EARLIER, v(A, 1, B, 2)))),
                c("remote deleted a file we never touched: pull the tombstone",
                        file(ONE, EARLIER, v(A, 1)), tombstone(EntryKind.FILE, v(A, 1, B, 2)),
                        new Pull(tombstone(EntryKind.FILE, v(A, 1, B, 2)))),
                c("remote deleted a file we never had: record its tombstone so the deletion keeps travelling",
                        null, tombstone(EntryKind.FILE, v(B, 2)),
                        new Pull(tombstone(EntryKind.FILE, v(B, 2)))),
                c("remote re-created a file we had deleted: pull",
                        tombstone(EntryKind.FILE, v(A, 2)), file(TWO, LATER, v(A, 2, B, 3)),
                        new Pull(file(TWO, LATER, v(A, 2, B, 3)))),
                at(PHOTOS, "remote replaced a file by a directory: pull the directory",
                        file(ONE, EARLIER, v(A, 1)), directory(0755, v(A, 1, B, 2)),
                        new Pull(directory(0755, v(A, 1, B, 2)))),
                c("a symlink pointing outside the folder is only data: pulled as a link, never followed",
                        null, symlink("../../etc/passwd", v(B, 1)),
                        new Pull(symlink("../../etc/passwd", v(B, 1)))),

                // Concurrent histories that reached the same content: merge, send nothing.
                c("both created the same bytes with the same mtime on their own: merge vectors, send nothing",
                        file(ONE, EARLIER, v(A, 1)), file(ONE, EARLIER, v(B, 1)),
                        new MergeVersions(v(A, 1, B, 1))),
                c("both deleted: merge",
                        tombstone(EntryKind.FILE, v(A, 2)), tombstone(EntryKind.FILE, v(A, 1, B, 2)),
                        new MergeVersions(v(A, 2, B, 2))),

                // Concurrent histories that differ: a conflict.
                at(PHOTOS, "both deleted, one a file and one a directory: the directory's tombstone wins, nothing kept",
                        tombstone(EntryKind.FILE, v(A, 2)), tombstone(EntryKind.DIRECTORY, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, tombstone(EntryKind.DIRECTORY, v(A, 2, B, 2)))),
                c("both edited, ours has the newer mtime: ours keeps the name, theirs is kept under its mtime and B",
                        file(TWO, LATER, v(A, 2)), file(ONE, EARLIER, v(A, 1, B, 2)),
                        conflict(Side.LOCAL, file(TWO, LATER, v(A, 2, B, 2)),
                                "docs/report.sync-conflict-20240305-141516-53XO53X.txt",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),
                c("both edited, theirs has the newer mtime: theirs keeps the name, ours is kept under its mtime and A",
                        file(ONE, EARLIER, v(A, 2)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 2, B, 2)),
                                "docs/report.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),
                c("both edited in the same nanosecond: B's change wins, its ID (0xEE...) being larger unsigned",
                        file(ONE, EARLIER, v(A, 2)), file(TWO, EARLIER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, EARLIER, v(A, 2, B, 2)),
                                "docs/report.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),
                c("same mtime, versions relayed from other devices: C, who made ours, beats A, not the link's B",
                        file(ONE, EARLIER, v(C, 3)), file(TWO, EARLIER, v(A, 2)),
                        conflict(Side.LOCAL, file(ONE, EARLIER, v(A, 2, C, 3)),
                                "docs/report.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(TWO, EARLIER, v(A, 2, C, 3)))),
                c("we deleted while the remote edited: the edit wins and the deletion is dropped",
                        tombstone(EntryKind.FILE, v(A, 2)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 2, B, 2)))),
                c("we edited while the remote deleted: our edit wins and the peer takes it back",
                        file(TWO, LATER, v(A, 2)), tombstone(EntryKind.FILE, v(A, 1, B, 2)),
                        conflict(Side.LOCAL, file(TWO, LATER, v(A, 2, B, 2)))),
                c("both wrote the same bytes at different times: the newer mtime wins, no copy (nothing to keep)",
                        file(ONE, EARLIER, v(A, 1)), file(ONE, LATER, v(B, 1)),
                        conflict(Side.REMOTE, file(ONE, LATER, v(A, 1, B, 1)))),
                c("both changed only the mode: B's mode wins, no copy",
                        file(ONE, EARLIER, 0755, v(A, 2)), file(ONE, EARLIER, 0600, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(ONE, EARLIER, 0600, v(A, 2, B, 2)))),
                at(PHOTOS, "a file against a directory: the directory keeps the name, the file becomes a copy",
                        file(ONE, LATER, v(A, 1)), directory(0755, v(B, 1)),
                        conflict(Side.REMOTE, directory(0755, v(A, 1, B, 1)),
                                "docs/photos.sync-conflict-20240305-142000-CEIRCEI",
                                file(ONE, LATER, v(A, 1, B, 1)))),
                c("a symlink against a file: the file's mtime beats the link's zero, the link is kept as a copy",
                        symlink("notes.txt", v(A, 1)), file(ONE, EARLIER, v(B, 1)),
                        conflict(Side.REMOTE, file(ONE, EARLIER, v(A, 1, B, 1)),
                                "docs/report.sync-conflict-19700101-000000-CEIRCEI.txt",
                                symlink("notes.txt", v(A, 1, B, 1)))),
                at(TreePath.of("docs/latest"), "two symlinks, ours leaving the folder: B's wins, ours is kept",
                        symlink("../outside", v(A, 1)), symlink("notes.txt", v(B, 1)),
                        conflict(Side.REMOTE, symlink("notes.txt", v(A, 1, B, 1)),
                                "docs/latest.sync-conflict-19700101-000000-CEIRCEI",
                                symlink("../outside", v(A, 1, B, 1)))),
                at(PHOTOS, "two directories given different modes: B's mode wins, nothing is kept",
                        directory(0700, v(A, 1)), directory(0755, v(B, 1)),
                        conflict(Side.REMOTE, directory(0755, v(A, 1, B, 1)))),
                at(PHOTOS, "we deleted a directory while the remote changed its mode: the directory stays",
                        tombstone(EntryKind.DIRECTORY, v(A, 2)), directory(0700, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, directory(0700, v(A, 2, B, 2)))),
                c("equal vectors over different content (an index was lost): a conflict, so nothing is lost",
                        file(ONE, EARLIER, v(A, 1)), file(TWO, LATER, v(A, 1)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 1)),
                                "docs/report.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(ONE, EARLIER, v(A, 1)))),

                // Conflict copy names.
                at(TreePath.of("docs/café.txt"), "é in the name stays in the copy's name",
                        file(ONE, EARLIER, v(A, 2)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 2, B, 2)),
                                "docs/café.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),
                at(TreePath.of("docs/report.sync-conflict-20240101-000000-O53XO53.txt"),
                        "a conflict of a conflict copy replaces the old marker instead of nesting",
                        file(ONE, EARLIER, v(A, 2)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 2, B, 2)),
                                "docs/report.sync-conflict-20240305-141516-CEIRCEI.txt",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),
                at(TreePath.of(".bashrc"), "a dotfile keeps its whole name in front of the marker",
                        file(ONE, EARLIER, v(A, 2)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, file(TWO, LATER, v(A, 2, B, 2)),
                                ".bashrc.sync-conflict-20240305-141516-CEIRCEI",
                                file(ONE, EARLIER, v(A, 2, B, 2)))),

                // A directory never loses its contents: children that survive keep their directory.
                withChildren("remote deleted a directory in which we edited a file: the directory stays, as our change",
                        directory(0755, v(A, 1)), tombstone(EntryKind.DIRECTORY, v(A, 1, B, 2)),
                        conflict(Side.LOCAL, directory(0755, v(A, 3, B, 2)))),
                withChildren("remote replaced a directory by a file while a child survived here: the file is a copy",
                        directory(0755, v(A, 1)), file(TWO, LATER, v(A, 1, B, 2)),
                        conflict(Side.LOCAL, directory(0755, v(A, 3, B, 2)),
                                "docs/photos.sync-conflict-20240305-142000-53XO53X",
                                file(TWO, LATER, v(A, 3, B, 2)))),
                withChildren("we deleted a directory in which the remote added a file: it comes back, as B's change",
                        tombstone(EntryKind.DIRECTORY, v(A, 2)), directory(0755, v(A, 1)),
                        conflict(Side.REMOTE, directory(0755, v(A, 2, B, 3)))),
                withChildren("our directory is newer and a child survives: the peer pulls as usual",
                        directory(0700, v(A, 2)), directory(0755, v(A, 1)), new PeerPulls()),
                withChildren("a concurrent deletion of a directory whose child survives: no extra change is made",
                        tombstone(EntryKind.DIRECTORY, v(A, 2)), directory(0700, v(A, 1, B, 2)),
                        conflict(Side.REMOTE, directory(0700, v(A, 2, B, 2)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesAsTheTableSays(Case c) {
        assertEquals(c.expected(), OURS.decide(c.path(), c.local(), c.remote(), c.liveChildrenRemain()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePeerReachesTheMirroredDecision(Case c) {
        assertEquals(mirrored(c.expected(), c.local()),
                THEIRS.decide(c.path(), c.remote(), c.local(), c.liveChildrenRemain()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothPeersEndWithTheSameEntriesAndThenAgree(Case c) {
        Decision ours = OURS.decide(c.path(), c.local(), c.remote(), c.liveChildrenRemain());
        Decision theirs = THEIRS.decide(c.path(), c.remote(), c.local(), c.liveChildrenRemain());
        Map<TreePath, Entry> oursAfter = apply(c.path(), c.local(), ours);
        Map<TreePath, Entry> theirsAfter = apply(c.path(), c.remote(), theirs);

        assertEquals(oursAfter, theirsAfter, "both indexes after applying");
        assertEquals(oursAfter.get(c.path()), ours.outcome(c.local()), "our outcome");
        assertEquals(theirsAfter.get(c.path()), theirs.outcome(c.remote()), "their outcome");
        for (TreePath path : oursAfter.keySet()) {
            boolean children = c.liveChildrenRemain() && path.equals(c.path());
            assertEquals(new InSync(), OURS.decide(path, oursAfter.get(path), theirsAfter.get(path), children),
                    "deciding " + path + " again");
        }
    }

    @Test
    void lastModifierHasTheLargestCounterAndTiesGoToTheLargerUnsignedDevice() {
        assertEquals(B.shortId(), Reconciler.lastModifier(v(A, 1, B, 2)));
        assertEquals(A.shortId(), Reconciler.lastModifier(v(A, 3, B, 2, C, 1)));
        assertEquals(B.shortId(), Reconciler.lastModifier(v(A, 2, B, 2)), "B is negative as a signed long");
        assertEquals(C.shortId(), Reconciler.lastModifier(v(A, 2, C, 2)));
    }

    @Test
    void refusesTheRootAnEmptyVectorAndALinkToItself() {
        Entry unversioned = file(ONE, EARLIER, VersionVector.EMPTY);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> OURS.decide(REPORT, null, unversioned, false));
        assertEquals("the peer's entry for docs/report.txt has an empty version vector", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OURS.decide(TreePath.ROOT, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new Reconciler(A, A));
    }

    @Test
    void refusesLiveChildrenWhereNeitherSideHasADirectory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OURS.decide(PHOTOS,
                tombstone(EntryKind.DIRECTORY, v(A, 2)), file(ONE, EARLIER, v(A, 2, B, 3)), true));
        assertTrue(e.getMessage().contains("neither side holds as a directory"), e.getMessage());
    }

    private static Case c(String sentence, Entry local, Entry remote, Decision expected) {
        return new Case(sentence, REPORT, local, remote, false, expected);
    }

    private static Case at(TreePath path, String sentence, Entry local, Entry remote, Decision expected) {
        return new Case(sentence, path, local, remote, false, expected);
    }

    private static Case withChildren(String sentence, Entry local, Entry remote, Decision expected) {
        return new Case(sentence, PHOTOS, local, remote, true, expected);
    }

    private static Conflict conflict(Side winner, Entry resolved) {
        return new Conflict(winner, resolved, Optional.empty());
    }

    private static Conflict conflict(Side winner, Entry resolved, String copyPath, Entry copy) {
        return new Conflict(winner, resolved, Optional.of(new ConflictCopy(TreePath.of(copyPath), copy)));
    }
}
