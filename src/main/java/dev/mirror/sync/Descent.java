package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.tree.Bucket;
import dev.mirror.tree.ChildCursor;
import dev.mirror.tree.IndexedEntry;
import dev.mirror.tree.TreeIndex;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.WireHashes;
import dev.mirror.wire.proto.BucketHash;
import dev.mirror.wire.proto.DirectoryQuery;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.ListReply;
import dev.mirror.wire.proto.ListRequest;
import dev.mirror.wire.proto.Listing;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Finds where a peer's tree differs from ours by walking down only into subtrees whose hashes differ, a whole tree
 * level per round trip (docs/protocol.md, "Finding what differs"). A directory with more than one bucket is compared
 * bucket by bucket first, and only the name ranges of differing buckets are listed, so one change in a directory of
 * 100,000 entries costs two round trips and about one bucket of entries, not the whole listing.
 *
 * <p>It reports every path where the peer holds an entry that ours does not equal (what we might pull). Paths only we
 * hold are the peer's to pull; they are not reported, but a live one is noted for its directory, because whether a
 * directory survives a deletion depends on its live children ({@link Reconciler}). Reads the index only.
 */
public final class Descent {
    /** Directories listed by one request; a level of more goes out as several requests ({@link #visit}). */
    static final int QUERIES_PER_REQUEST = 16;
    /** List requests of one level waiting for their replies at once: up to 8 MiB of listings. */
    static final int REQUESTS_IN_FLIGHT = 8;

    private final TreeIndex index;
    private final RemoteTree remote;
    private final List<Difference> found = new ArrayList<>();
    private final Set<TreePath> liveKept = new HashSet<>();
    private int roundTrips;

    public Descent(TreeIndex index, RemoteTree remote) {
        this.index = index;
        this.remote = remote;
    }

    /** One path where the peer's entry differs from ours ({@code local} is null where we have none). */
    public record Difference(TreePath path, IndexedEntry local, RemoteEntry remote) {
    }

    /**
     * What differs, with the directories that keep a live child outside the differences.
     *
     * @param roundTrips how many list requests waited on one another: the cost in latency
     */
    public record Result(List<Difference> differences, Set<TreePath> liveKept, int roundTrips) {
    }

    /** Walks down from the root; returns at once, with nothing, if the roots are equal. */
    public Result run(Hash remoteRoot) throws IOException, InterruptedException {
        if (!remoteRoot.equals(index.summary().treeHash())) {
            List<DirectoryQuery> level = List.of(whole(TreePath.ROOT));
            while (!level.isEmpty()) {
                level = visit(level);
            }
        }
        return new Result(found, liveKept, roundTrips);
    }

    /**
     * Lists every query of one level in one round trip and returns the next level's queries. The level goes out as
     * several requests, not one: the peer answers them on its serving threads side by side, the first replies are
     * compared while later ones are made, and each stays within the peer's reply budget (one request for 500
     * directories of 100 files would come back cut short, and the rest would cost a round trip per megabyte). At most
     * {@link #REQUESTS_IN_FLIGHT} wait at once, so a level of 10,000 directories does not arrive all at once.
     */
    private List<DirectoryQuery> visit(List<DirectoryQuery> level) throws IOException, InterruptedException {
        ArrayDeque<CompletableFuture<ListReply>> replies = new ArrayDeque<>();
        int asked = 0;
        roundTrips++;
        List<DirectoryQuery> next = new ArrayList<>();
        for (int at = 0; at < level.size(); ) {
            while (asked < level.size() && replies.size() < REQUESTS_IN_FLIGHT) {
                List<DirectoryQuery> part = level.subList(asked, Math.min(level.size(), asked + QUERIES_PER_REQUEST));
                replies.add(remote.list(ListRequest.newBuilder().addAllQueries(part).build()));
                asked += part.size();
            }
            ListReply reply = Replies.await(replies.poll());
            int queries = Math.min(QUERIES_PER_REQUEST, level.size() - at);
            if (reply.getListingsCount() != queries) {
                throw new ProtocolException(Failure.Code.PROTOCOL, reply.getListingsCount() + " listings in reply to "
                        + queries + " directories");
            }
            for (Listing listing : reply.getListingsList()) {
                visit(level.get(at++), listing, next);
            }
        }
        return next;
    }

    private void visit(DirectoryQuery query, Listing listing, List<DirectoryQuery> next) throws IOException {
        if (!listing.getPath().equals(query.getPath())) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "a listing of '" + listing.getPath()
                    + "' in reply to a query for '" + query.getPath() + "'");
        }
        if (listing.getMissing()) {
            return; // The peer has no directory here (any more); the parent's difference covers it.
        }
        TreePath dir = WireEntries.checkPath(query.getPath());
        if (listing.getBucketsCount() > 0) {
            compareBuckets(dir, listing, next);
        } else {
            compareChildren(dir, query, listing, next);
        }
    }

    /** Asks for the name ranges of the peer's buckets that we do not hold with the same hash. */
    private void compareBuckets(TreePath dir, Listing listing, List<DirectoryQuery> next) throws IOException {
        Set<Hash> ours = new HashSet<>();
        for (Bucket bucket : index.buckets(dir)) {
            ours.add(bucket.hash());
        }
        String previous = "";
        for (BucketHash bucket : listing.getBucketsList()) {
            // A bucket's hash covers its children's names and hashes: an equal hash means the same children here.
            if (!ours.contains(WireHashes.hash(bucket.getHash(), "bucket hash"))) {
                next.add(DirectoryQuery.newBuilder().setPath(listing.getPath()).setAfter(previous)
                        .setThrough(bucket.getLastName()).build());
            }
            previous = bucket.getLastName();
        }
    }

    /** Merges the peer's children in the queried range with ours, by name. */
    private void compareChildren(TreePath dir, DirectoryQuery query, Listing listing, List<DirectoryQuery> next)
            throws IOException {
        List<RemoteEntry> theirs = new ArrayList<>(listing.getEntriesCount());
        for (dev.mirror.wire.proto.Entry wire : listing.getEntriesList()) {
            RemoteEntry entry = WireEntries.fromWire(dir, wire);
            if (!theirs.isEmpty() && TreePath.compareNames(theirs.get(theirs.size() - 1).path().name(),
                    entry.path().name()) >= 0) {
                throw new ProtocolException(Failure.Code.PROTOCOL, "a listing of '" + dir + "' out of name order");
            }
            theirs.add(entry);
        }
        // Our children beyond the last one listed are compared with the next page, not now.
        String bound = listing.getTruncated() && !theirs.isEmpty() ? theirs.get(theirs.size() - 1).path().name()
                : query.getThrough();
        try (ChildCursor cursor = query.getAfter().isEmpty() ? index.children(dir)
                : index.childrenAfter(dir, query.getAfter())) {
            IndexedEntry ours = within(cursor.next(), bound);
            int i = 0;
            while (ours != null || i < theirs.size()) {
                RemoteEntry their = i < theirs.size() ? theirs.get(i) : null;
                int order = ours == null ? 1 : their == null ? -1
                        : TreePath.compareNames(ours.name(), their.path().name());
                if (order < 0) {
                    noteKept(dir, ours);
                    ours = within(cursor.next(), bound);
                    continue;
                }
                if (order == 0 && ours.treeHash().equals(their.treeHash())) {
                    noteKept(dir, ours);
                } else {
                    found.add(new Difference(their.path(), order == 0 ? ours : null, their));
                    if (their.entry().isDirectory()) {
                        next.add(whole(their.path()));
                    }
                }
                if (order == 0) {
                    ours = within(cursor.next(), bound);
                }
                i++;
            }
        }
        if (listing.getTruncated()) {
            if (theirs.isEmpty()) {
                throw new ProtocolException(Failure.Code.PROTOCOL, "an empty listing of '" + dir
                        + "' that says it is truncated");
            }
            next.add(query.toBuilder().setAfter(bound).setBuckets(false).build());
        }
    }

    private void noteKept(TreePath dir, IndexedEntry ours) {
        if (ours.entry().isLive()) {
            liveKept.add(dir);
        }
    }

    private static IndexedEntry within(IndexedEntry entry, String through) {
        return entry == null || !through.isEmpty() && TreePath.compareNames(entry.name(), through) > 0 ? null : entry;
    }

    /** A query for a whole directory: its buckets if it has several, else its children. */
    private static DirectoryQuery whole(TreePath dir) {
        return DirectoryQuery.newBuilder().setPath(dir.toString()).setBuckets(true).build();
    }
}
