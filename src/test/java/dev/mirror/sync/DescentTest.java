package dev.mirror.sync;

import dev.mirror.daemon.Folder;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.proto.DirectoryQuery;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What finding a difference costs: the descent walks only into subtrees whose hashes differ, a round trip per level
 * (a directory's subdirectories asked for as soon as its listing is in), and compares a big directory bucket by
 * bucket. Two real folders and indexes; the peer is served in process.
 */
@Timeout(60)
class DescentTest extends TwoFolderTest {
    /** Every file of the generated trees has this mtime, on both sides, so equal files are equal entries. */
    private static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-01T12:00:00Z"));

    @Test
    void equalRootsCostNoRequestAtAll() throws Exception {
        write(dirA, "top.txt", "top");
        write(dirA, "nested/é.txt", "accent");
        scan(a);
        scan(b);
        pull(b, a, new ServedTree(new TreeServer(a.index(), dirA)));
        assertEquals(a.summary().treeHash(), b.summary().treeHash(), "the first pull makes the roots equal");
        ServedTree remote = served(a);

        Descent.Result found = new Descent(b.index(), remote).run(a.summary().treeHash());
        PullRound.Outcome outcome = pull(b, a, remote);

        assertEquals(List.of(), found.differences());
        assertEquals(0, found.roundTrips());
        assertEquals(new PullRound.Outcome(0, 0, 0), outcome);
        assertEquals(0, remote.requests());
    }

    @Test
    void oneChangedFileAmongTenThousandCostsOneRequestPerLevelPlusTwo() throws Exception {
        int depth = 4; // d0/d0/d0/f0.txt: three directory levels, then the file
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                for (int k = 0; k < 10; k++) {
                    for (int f = 0; f < 10; f++) {
                        writeBoth("d" + i + "/d" + j + "/d" + k + "/f" + f + ".txt", i + "." + j + "." + k + "." + f);
                    }
                }
            }
        }
        makeEqual();
        Path changed = write(dirA, "d3/d1/d4/f1.txt", "a longer, changed content that no other file holds");
        scan(a);
        ServedTree remote = served(a);

        PullRound.Outcome outcome = pull(b, a, remote);

        assertEquals(new PullRound.Outcome(1, 0, depth), outcome);
        // A list request per level, then one chunk list request and one chunk request.
        assertTrue(remote.requests() <= depth + 2, "requests: " + remote.requests());
        assertEquals(depth, remote.listRequests());
        assertEquals(Files.readString(changed), Files.readString(dirB.resolve("d3/d1/d4/f1.txt")));
        assertEquals(a.summary().treeHash(), b.summary().treeHash());
    }

    @Test
    void aLevelOfManyDirectoriesIsAskedForInSeveralRequestsOfOneRoundTrip() throws Exception {
        int directories = 3 * Descent.QUERIES_PER_REQUEST + 1;
        for (int i = 0; i < directories; i++) {
            write(dirA, "d" + i + "/f.txt", "file " + i);
        }
        scan(a);
        scan(b);
        ServedTree remote = served(a);

        Descent.Result found = new Descent(b.index(), remote).run(a.summary().treeHash());

        assertEquals(2 * directories, found.differences().size(), "every directory and every file");
        assertEquals(2, found.roundTrips(), "the root, then all its directories at once");
        assertEquals(1 + 4, remote.listRequests(), "the root, then " + directories + " directories 16 by 16");
    }

    @Test
    void aDirectorysSubdirectoriesAreAskedForBeforeTheRestOfItsLevelIsAnswered() throws Exception {
        int directories = Descent.QUERIES_PER_REQUEST + 4; // the root's listing makes two requests of the next level
        for (int i = 0; i < directories; i++) {
            write(dirA, "d" + i + "/sub/f.txt", "file " + i);
        }
        scan(a);
        scan(b);
        List<String> events = new ArrayList<>();
        RemoteTree remote = answeredWhenAwaited(served(a), events);

        Descent.Result found = new Descent(b.index(), remote).run(a.summary().treeHash());

        assertEquals(3 * directories, found.differences().size(), "d*, d*/sub and d*/sub/f.txt");
        assertEquals(3, found.roundTrips(), "the root, d*, then d*/sub: three levels");
        List<String> secondLevel = events.stream().filter(e -> e.startsWith("ask d")).limit(2).toList();
        assertEquals(2, secondLevel.size(), "events: " + events);
        int secondAnswered = events.indexOf(secondLevel.get(1).replace("ask", "answer"));
        int thirdAsked = events.indexOf(events.stream().filter(e -> e.startsWith("ask") && e.contains("/sub"))
                .findFirst().orElseThrow());
        assertTrue(thirdAsked < secondAnswered, "the first directories' subdirectories go out before the rest of "
                + "their level is answered: " + events);
    }

    @Test
    void oneChangeInADirectoryOfTwentyThousandIsFoundByComparingBuckets() throws Exception {
        int entries = 20_000;
        for (int i = 0; i < entries; i++) {
            writeBoth("big/f" + i, Integer.toString(i));
        }
        makeEqual();
        int buckets = b.index().buckets(TreePath.of("big")).size();
        assertTrue(buckets > 5, "the directory has several buckets: " + buckets);
        write(dirA, "big/f12345", "changed, and longer than before");
        scan(a);
        ServedTree remote = served(a);

        Descent.Result found = new Descent(b.index(), remote).run(a.summary().treeHash());

        assertEquals(List.of(TreePath.of("big"), TreePath.of("big/f12345")),
                found.differences().stream().map(Descent.Difference::path).sorted().toList());
        // The root's listing, big's bucket hashes, then the one differing bucket's names.
        assertTrue(remote.listRequests() <= 3, "list requests: " + remote.listRequests());
        assertEquals(remote.listRequests(), found.roundTrips());
        assertTrue(remote.listedEntries() < entries / 4, "entries listed: " + remote.listedEntries()
                + " of " + entries + " in " + buckets + " buckets");

        PullRound.Outcome outcome = pull(b, a, served(a));
        assertEquals(0, outcome.deferred());
        assertEquals("changed, and longer than before", Files.readString(dirB.resolve("big/f12345")));
        assertEquals(a.summary().treeHash(), b.summary().treeHash());
    }

    @Test
    void aBigDirectoryWeDoNotHaveIsListedWithoutAskingForItsBucketsFirst() throws Exception {
        int entries = 3_000;
        for (int i = 0; i < entries; i++) {
            write(dirA, "big/f" + i, Integer.toString(i));
        }
        scan(a);
        scan(b);
        assertTrue(a.index().buckets(TreePath.of("big")).size() > 1, "the peer's directory has several buckets");
        ServedTree remote = served(a);

        Descent.Result found = new Descent(b.index(), remote).run(a.summary().treeHash());

        assertEquals(entries + 1, found.differences().size(), "big and every file in it");
        assertEquals(2, found.roundTrips(), "the root's children, then big's: no bucket hashes of either");
        assertEquals(2, remote.listRequests());
    }

    @Test
    void afterAPullTheRootsAreEqualAndStayEqualAfterARescan() throws Exception {
        write(dirA, "one/two/three.txt", "3");
        write(dirA, "one/four.txt", "4");
        write(dirB, "only-here.txt", "b");
        scan(a);
        scan(b);
        assertNotEquals(a.summary().treeHash(), b.summary().treeHash());

        pull(b, a, served(a));
        pull(a, b, served(b));

        assertEquals(a.summary(), b.summary());
        scan(a);
        scan(b);
        assertEquals(a.summary(), b.summary());
        assertEquals("b", Files.readString(dirA.resolve("only-here.txt")));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /**
     * {@code served}, with each list reply made only when the descent waits for it, and every request and reply noted
     * in {@code events} ("ask PATHS", "answer PATHS") in the order they happen.
     */
    private static RemoteTree answeredWhenAwaited(ServedTree served, List<String> events) {
        return new ForwardingTree(served) {
            @Override
            public CompletableFuture<ListReply> list(ListRequest request) {
                String paths = request.getQueriesList().stream().map(DirectoryQuery::getPath)
                        .collect(Collectors.joining(","));
                events.add("ask " + paths);
                return new CompletableFuture<>() {
                    @Override
                    public ListReply get() throws InterruptedException, ExecutionException {
                        if (!isDone()) {
                            events.add("answer " + paths);
                            complete(served.list(request).join());
                        }
                        return super.get();
                    }
                };
            }
        };
    }

    /** The same bytes and mtime on both sides: after {@link #makeEqual} no file needs to travel. */
    private void writeBoth(String relative, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.setLastModifiedTime(write(dirA, relative, bytes), MTIME);
        Files.setLastModifiedTime(write(dirB, relative, bytes), MTIME);
    }

    /**
     * Scans both sides and pulls both ways, so each side's entries carry both version vectors: the roots agree, and
     * only the versions were exchanged (the content was the same already).
     */
    private void makeEqual() throws Exception {
        scan(a);
        scan(b);
        PullProgress progress = new PullProgress();
        pull(b, a, served(a), progress);
        pull(a, b, served(b), new PullProgress());
        assertEquals(0, progress.receivedBytes(), "equal files are never sent");
        assertEquals(a.summary(), b.summary());
    }

    private static PullRound.Outcome pull(Folder into, Folder from, RemoteTree remote) throws Exception {
        return pull(into, from, remote, new PullProgress());
    }
}
