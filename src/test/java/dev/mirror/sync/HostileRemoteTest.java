package dev.mirror.sync;

import com.google.protobuf.ByteString;
import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import dev.mirror.tree.TreeSummary;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.ChunkData;
import dev.mirror.wire.proto.ChunkListQuery;
import dev.mirror.wire.proto.ChunkListReply;
import dev.mirror.wire.proto.ChunkListRequest;
import dev.mirror.wire.proto.ChunkPage;
import dev.mirror.wire.proto.ChunkReply;
import dev.mirror.wire.proto.ChunkRequest;
import dev.mirror.wire.proto.Entry;
import dev.mirror.wire.proto.EntryKind;
import dev.mirror.wire.proto.FileChunks;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;
import dev.mirror.wire.proto.Listing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that lies: its listings are rewritten on the way, so hostile entries reach the descent and the pull as they
 * would from the network. Whatever it sends, nothing is written outside the folder, nothing is written at all before
 * a hostile entry is refused, and a file is never left torn under its real name.
 */
@Timeout(30)
class HostileRemoteTest extends TwoFolderTest {
    /** A file of several chunks, so a corrupted reply has several chunks to spoil. */
    private static final byte[] BIG = TestFolders.randomBytes(3, 300_000);

    @TempDir
    Path outside;

    record Case(String sentence, String dir, String name) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    static Stream<Case> hostileNames() {
        return Stream.of(
                new Case("an absolute name", "", "/etc"),
                new Case("a '..' name", "", ".."),
                new Case("a '.' name", "", "."),
                new Case("an empty name in a subdirectory", "dir", ""),
                new Case("a name holding NUL", "", "a\0b"),
                new Case("a name holding a backslash", "", "..\\escaped-by-mirror"),
                new Case("'.mirror' at the top", "", ".mirror"),
                new Case("a name of 256 bytes", "", "x".repeat(256)),
                new Case("a name of 128 two-byte characters", "", "é".repeat(128)),
                new Case("a name holding '/'", "", "sub/x"),
                new Case("a name climbing out with '../'", "", "../escaped-by-mirror"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileNames")
    void aHostileNameFailsTheRoundBeforeAnythingIsWritten(Case c) throws Exception {
        assertRefusedBeforeWriting(entries -> withHostileName(entries, c.name()), c.dir());
    }

    @Test
    void anEmptyNameAtTheTopFailsTheRoundBeforeAnythingIsWritten() throws Exception {
        assertRefusedBeforeWriting(entries -> withHostileName(entries, ""), "");
    }

    @Test
    void anEntryClaimingTwoToTheSixtyTwoBytesFailsTheRound() throws Exception {
        assertRefusedBeforeWriting(entries -> {
            List<Entry> lying = new ArrayList<>();
            for (Entry entry : entries) {
                lying.add(entry.getName().equals("a.txt") ? entry.toBuilder().setSize(1L << 62).build() : entry);
            }
            return lying;
        }, "");
    }

    @Test
    void aReplyWithFewerListingsThanDirectoriesAskedForFailsTheRound() throws Exception {
        assertListsRefusedBeforeWriting(reply -> reply.getListingsCount() == 0 ? reply
                : reply.toBuilder().removeListings(reply.getListingsCount() - 1).build());
    }

    @Test
    void aReplyWithMoreListingsThanDirectoriesAskedForFailsTheRound() throws Exception {
        assertListsRefusedBeforeWriting(reply -> reply.getListingsCount() == 0 ? reply
                : reply.toBuilder().addListings(reply.getListings(0)).build());
    }

    @Test
    void aListingOutOfNameOrderFailsTheRound() throws Exception {
        assertRefusedBeforeWriting(entries -> {
            List<Entry> reversed = new ArrayList<>(entries);
            Collections.reverse(reversed);
            return reversed;
        }, "");
    }

    @Test
    void aChunkThatDoesNotMatchItsHashIsFetchedAgain() throws Exception {
        write(dirA, "big.bin", BIG);
        scan(a);
        scan(b);
        ServedTree served = served(a);
        AtomicInteger replies = new AtomicInteger();
        served.tamperWithChunks(reply -> replies.getAndIncrement() == 0 ? corrupt(reply) : reply);

        PullRound.Outcome outcome = pull(new Hostile(served));

        assertEquals(0, outcome.deferred());
        assertTrue(replies.get() >= 2, "the spoiled chunks were asked for again");
        assertArrayEquals(BIG, Files.readAllBytes(dirB.resolve("big.bin")));
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void contentThatDoesNotMatchItsHashIsDiscardedAndTheChunksFetched() throws Exception {
        byte[] small = TestFolders.randomBytes(4, 20_000);
        write(dirA, "small.bin", small);
        scan(a);
        scan(b);
        ServedTree served = served(a);
        served.tamperWithLists(HostileRemoteTest::corruptContent);

        PullRound.Outcome outcome = pull(new Hostile(served));

        assertEquals(0, outcome.deferred());
        assertEquals(1, served.chunkRequests(), "the spoiled content was asked for again, as a chunk");
        assertArrayEquals(small, Files.readAllBytes(dirB.resolve("small.bin")));
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void chunksSpoiledEveryTimeLeaveNoFileUnderItsNameAndAreDeferred() throws Exception {
        write(dirA, "known.txt", "first");
        scan(a);
        scan(b);
        pull(new Hostile(served(a)));
        write(dirA, "known.txt", "the peer's newer text, which never arrives intact");
        write(dirA, "big.bin", BIG);
        scan(a);
        ServedTree served = served(a);
        served.tamperWithChunks(HostileRemoteTest::corrupt);
        served.tamperWithLists(HostileRemoteTest::corruptContent);
        Map<String, String> before = snapshot(dirB);

        PullRound.Outcome outcome = pull(new Hostile(served));

        assertEquals(2, outcome.deferred());
        assertTrue(Files.notExists(dirB.resolve("big.bin"), LinkOption.NOFOLLOW_LINKS), "no torn file");
        assertEquals("first", Files.readString(dirB.resolve("known.txt")), "the old version stays whole");
        assertEquals(before, snapshot(dirB));
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void aDirectorySwappedForASymlinkBeforeInstallLetsNothingOut() throws Exception {
        Files.createDirectories(dirA.resolve("sub"));
        scan(a);
        scan(b);
        pull(new Hostile(served(a)));
        assertTrue(Files.isDirectory(dirB.resolve("sub"), LinkOption.NOFOLLOW_LINKS));
        write(dirA, "sub/x", "must stay inside");
        scan(a);
        Hostile remote = new Hostile(served(a));
        // After the descent, before any file is built: what a user or attacker on B might do at the worst moment.
        remote.beforeChunkLists = () -> {
            try {
                Files.delete(dirB.resolve("sub"));
                Files.createSymbolicLink(dirB.resolve("sub"), outside);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };

        PullRound.Outcome outcome = pull(remote);

        assertTrue(remote.swapped(), "the swap happened between descent and install");
        assertEquals(1, outcome.deferred());
        try (Stream<Path> escaped = Files.list(outside)) {
            assertEquals(List.of(), escaped.toList(), "nothing was written through the symlink");
        }
        assertTrue(Files.isSymbolicLink(dirB.resolve("sub")));
    }

    @Test
    void pagesClaimingNothingChangedCostARoundTripAndTheFileArrivesWhole() throws Exception {
        byte[] edited = bigFileEditedOnA();
        List<ChunkPages.Page> ours = ChunkPages.of(b.index().chunks(TreePath.of("big.bin")));
        Hostile remote = new Hostile(served(a));
        remote.files = (query, file) -> file.getPagesCount() == 0 ? file : withPages(file, ours);

        pull(remote);

        assertArrayEquals(edited, Files.readAllBytes(dirB.resolve("big.bin")));
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void pagesThatStopShortOfTheListCostARoundTripAndTheFileArrivesWhole() throws Exception {
        byte[] edited = bigFileEditedOnA();
        Hostile remote = new Hostile(served(a));
        remote.files = (query, file) -> file.getPagesCount() == 0 ? file
                : file.toBuilder().removePages(file.getPagesCount() - 1).build();

        pull(remote);

        assertArrayEquals(edited, Files.readAllBytes(dirB.resolve("big.bin")));
        assertEquals(a.summary(), b.summary());
    }

    @Test
    void aPageOfMoreThanTheMostChunksFailsTheRoundBeforeAnythingIsWritten() throws Exception {
        assertPagesRefused((query, file) -> file.getPagesCount() == 0 ? file : file.toBuilder()
                .setPages(0, file.getPages(0).toBuilder().setCount(ChunkPages.MAX_CHUNKS + 1)).build());
    }

    @Test
    void pagesOfMoreChunksThanTheFileCanHoldFailTheRoundBeforeAnythingIsWritten() throws Exception {
        assertPagesRefused((query, file) -> {
            if (file.getPagesCount() == 0) {
                return file;
            }
            FileChunks.Builder lying = file.toBuilder();
            for (int i = 0; i < 5_000; i++) {
                lying.addPages(ChunkPage.newBuilder().setCount(ChunkPages.MAX_CHUNKS).setHash(file.getContentHash()));
            }
            return lying.build();
        });
    }

    @Test
    void aPageListThatSaysMoreFollowButSendsNoneFailsTheRound() throws Exception {
        assertPagesRefused((query, file) -> !query.getPages() ? file : query.getFirst() == 0
                ? file.toBuilder().setTruncated(true).build() : file.toBuilder().clearPages().setTruncated(true).build());
    }

    @Test
    void moreChunksThanAPageRangeAskedForFailTheRound() throws Exception {
        assertPagesRefused((query, file) -> query.getCount() == 0 || file.getChunksCount() == 0 ? file
                : file.toBuilder().addChunks(file.getChunks(0)).build());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /**
     * A has files B would pull; the listing of {@code dir} is rewritten by {@code lie}. The round must fail with a
     * ProtocolException, and B's folder, index and neighbourhood must be as they were.
     */
    private void assertRefusedBeforeWriting(UnaryOperator<List<Entry>> lie, String dir) throws Exception {
        assertListsRefusedBeforeWriting(reply -> rewrite(reply, dir, lie));
    }

    private void assertListsRefusedBeforeWriting(UnaryOperator<ListReply> lie) throws Exception {
        write(dirA, "a.txt", "a");
        write(dirA, "b.txt", "b");
        write(dirA, "dir/c.txt", "c");
        write(dirA, "dir/d.txt", "d");
        write(dirB, "dir/ours.txt", "ours");
        scan(a);
        scan(b);
        Hostile remote = new Hostile(served(a));
        remote.lists = lie;
        Map<String, String> before = snapshot(dirB);
        TreeSummary indexed = b.summary();
        List<String> neighbours = names(dirB.getParent());

        assertThrows(ProtocolException.class, () -> pull(remote));

        assertEquals(before, snapshot(dirB), "no file was written");
        assertEquals(indexed, b.summary(), "nothing was recorded");
        assertEquals(List.of(), tempFiles());
        assertEquals(neighbours, names(dirB.getParent()), "nothing was created next to the folder");
    }

    /** B pulled a big file (asked for by pages when it changes); A then inserted a byte at its head. */
    private byte[] bigFileEditedOnA() throws Exception {
        byte[] old = TestFolders.randomBytes(5, PagedListTest.BIG_BYTES);
        write(dirA, "big.bin", old);
        scan(a);
        scan(b);
        pull(new Hostile(served(a)));
        byte[] edited = new byte[old.length + 1];
        System.arraycopy(old, 0, edited, 1, old.length);
        write(dirA, "big.bin", edited);
        scan(a);
        return edited;
    }

    /** A lie about a big file's pages closes the link, and B keeps its old version and writes nothing. */
    private void assertPagesRefused(BiFunction<ChunkListQuery, FileChunks, FileChunks> lie) throws Exception {
        bigFileEditedOnA();
        Hostile remote = new Hostile(served(a));
        remote.files = lie;
        Map<String, String> before = snapshot(dirB);
        TreeSummary indexed = b.summary();

        assertThrows(ProtocolException.class, () -> pull(remote));

        assertEquals(before, snapshot(dirB));
        assertEquals(indexed, b.summary());
        assertEquals(List.of(), tempFiles());
    }

    private static FileChunks withPages(FileChunks file, List<ChunkPages.Page> pages) {
        FileChunks.Builder lying = file.toBuilder().clearPages();
        pages.forEach(p -> lying.addPages(ChunkPage.newBuilder().setCount(p.count())
                .setHash(WireHashes.bytes(p.hash()))));
        return lying.build();
    }

    /** The entries with a copy of a.txt's entry under {@code name}, in name order as an honest peer sends them. */
    private static List<Entry> withHostileName(List<Entry> entries, String name) {
        List<Entry> lying = new ArrayList<>(entries);
        Entry template = entries.stream().filter(e -> e.getKind() == EntryKind.FILE).findFirst().orElseThrow();
        lying.add(template.toBuilder().setName(name).build());
        lying.sort((x, y) -> TreePath.compareNames(x.getName(), y.getName()));
        return lying;
    }

    private static ListReply rewrite(ListReply reply, String dir, UnaryOperator<List<Entry>> lie) {
        ListReply.Builder rewritten = reply.toBuilder();
        for (int i = 0; i < reply.getListingsCount(); i++) {
            Listing listing = reply.getListings(i);
            if (listing.getPath().equals(dir) && listing.getEntriesCount() > 0) {
                rewritten.setListings(i, listing.toBuilder().clearEntries()
                        .addAllEntries(lie.apply(listing.getEntriesList())));
            }
        }
        return rewritten.build();
    }

    private static ChunkReply corrupt(ChunkReply reply) {
        ChunkReply.Builder spoiled = reply.toBuilder();
        for (int i = 0; i < reply.getChunksCount(); i++) {
            ChunkData chunk = reply.getChunks(i);
            spoiled.setChunks(i, chunk.toBuilder().setData(flipped(chunk.getData())));
        }
        return spoiled.build();
    }

    private static ChunkListReply corruptContent(ChunkListReply reply) {
        ChunkListReply.Builder spoiled = reply.toBuilder();
        for (int i = 0; i < reply.getFilesCount(); i++) {
            FileChunks file = reply.getFiles(i);
            spoiled.setFiles(i, file.toBuilder().setContent(flipped(file.getContent())));
        }
        return spoiled.build();
    }

    /** {@code bytes} with one bit of the middle byte flipped; nothing to flip in none. */
    private static ByteString flipped(ByteString bytes) {
        if (bytes.isEmpty()) {
            return bytes;
        }
        byte[] data = bytes.toByteArray();
        data[data.length / 2] ^= 1;
        return ByteString.copyFrom(data);
    }

    /** Every path under {@code root} but mirror's own state, with what it is: a file's bytes, a link's target. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.toList()) {
                String relative = root.relativize(path).toString();
                if (relative.equals(".mirror") || relative.startsWith(".mirror/")) {
                    continue;
                }
                found.put(relative, Files.isSymbolicLink(path) ? "-> " + Files.readSymbolicLink(path)
                        : Files.isDirectory(path) ? "dir" : Files.readString(path, StandardCharsets.ISO_8859_1));
            }
        }
        return found;
    }

    /** What is left in mirror's staging directory: a half-built file would show here. */
    private List<String> tempFiles() throws IOException {
        Path tmp = dirB.resolve(".mirror/tmp");
        return Files.isDirectory(tmp) ? names(tmp) : List.of();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private PullRound.Outcome pull(RemoteTree remote) throws Exception {
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            return new PullRound(b.index(), b.path(), installer, new Reconciler(b.deviceId(), a.deviceId()), remote,
                    new PullProgress()).run(a.summary().treeHash());
        }
    }

    /**
     * A's tree as a hostile peer serves it: list replies pass through {@link #lists}, and chunk lists of names it
     * made up are served from the file they were copied from, so a lax receiver would really write them.
     */
    private static final class Hostile implements RemoteTree {
        private final ServedTree honest;
        UnaryOperator<ListReply> lists = UnaryOperator.identity();
        /** Rewrites each file of a chunk list reply, given the query it answers. */
        BiFunction<ChunkListQuery, FileChunks, FileChunks> files = (query, file) -> file;
        Runnable beforeChunkLists;
        private boolean swapped;

        Hostile(ServedTree honest) {
            this.honest = honest;
        }

        boolean swapped() {
            return swapped;
        }

        @Override
        public CompletableFuture<ListReply> list(ListRequest request) {
            return honest.list(request).thenApply(lists);
        }

        @Override
        public CompletableFuture<ChunkListReply> chunkLists(ChunkListRequest request) {
            if (beforeChunkLists != null && !swapped) {
                beforeChunkLists.run();
                swapped = true;
            }
            ChunkListRequest.Builder honestRequest = request.toBuilder().clearQueries();
            for (ChunkListQuery query : request.getQueriesList()) {
                honestRequest.addQueries(query.toBuilder().setPath(madeUp(query.getPath()) ? "a.txt"
                        : query.getPath()));
            }
            return honest.chunkLists(honestRequest.build()).thenApply(reply -> {
                ChunkListReply.Builder answered = reply.toBuilder();
                for (int i = 0; i < reply.getFilesCount(); i++) {
                    FileChunks file = reply.getFiles(i);
                    answered.setFiles(i, files.apply(request.getQueries(i),
                            file.toBuilder().setPath(request.getQueries(i).getPath()).build()));
                }
                return answered.build();
            });
        }

        @Override
        public CompletableFuture<ChunkReply> chunks(ChunkRequest request) {
            return honest.chunks(request);
        }

        private static boolean madeUp(String path) {
            try {
                WireEntries.checkPath(path);
                return false;
            } catch (ProtocolException e) {
                return true;
            }
        }
    }
}
