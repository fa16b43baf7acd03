package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page rule of docs/hashing.md: cuts come from chunk hashes alone, so an edit moves only the pages around it. */
class ChunkPagesTest {
    private static final long SEED = 20_240_611L;

    @Test
    void pagesCoverTheListInOrderWithAboutSixtyFourChunksEach() {
        ChunkList list = randomList(new Random(SEED), 8_192);

        List<ChunkPages.Page> pages = ChunkPages.of(list);

        int next = 0;
        for (ChunkPages.Page page : pages) {
            assertEquals(next, page.first());
            assertEquals(ChunkPages.hash(list, page.first(), page.count()), page.hash());
            boolean last = page.end() == list.count();
            assertTrue(last || ChunkPages.endsPage(list.hash(page.end() - 1)) || page.count() == ChunkPages.MAX_CHUNKS);
            next = page.end();
        }
        assertEquals(list.count(), next);
        assertTrue(pages.size() > 8_192 / 64 / 2 && pages.size() < 8_192 / 64 * 2, pages.size() + " pages");
    }

    @Test
    void aChunkInsertedAtTheHeadChangesOnlyTheFirstPages() {
        for (long seed : new long[] {SEED, SEED + 1, new Random().nextLong()}) {
            Random random = new Random(seed);
            ChunkList before = randomList(random, 8_192);
            // The chunker re-cuts the first chunk or two after an insertion at the head: two new chunks replace one.
            ChunkList after = new ChunkList.Builder().add(100, randomHash(random)).add(65_000, randomHash(random))
                    .addRange(before, 1, before.count() - 1).build();

            Set<Hash> held = hashes(ChunkPages.of(before));
            List<ChunkPages.Page> pages = ChunkPages.of(after);

            // Each new chunk may end a page of its own (1 in 64), so at most three pages are new, all at the head.
            long changed = pages.stream().filter(p -> !held.contains(p.hash())).count();
            assertTrue(changed >= 1 && changed <= 3, "seed " + seed + ": " + changed + " pages changed");
            for (ChunkPages.Page page : pages.subList(3, pages.size())) {
                assertTrue(held.contains(page.hash()), "seed " + seed + ": page at chunk " + page.first() + " kept");
            }
        }
    }

    @Test
    void noPageHoldsMoreThanTheMaximumEvenWithoutACut() {
        Random random = new Random(SEED);
        ChunkList.Builder builder = new ChunkList.Builder();
        for (int added = 0; added < 2_500; ) {
            Hash hash = randomHash(random);
            if (!ChunkPages.endsPage(hash)) {
                builder.add(1_000, hash);
                added++;
            }
        }

        List<ChunkPages.Page> pages = ChunkPages.of(builder.build());

        assertEquals(List.of(1_024, 1_024, 452), pages.stream().map(ChunkPages.Page::count).toList());
    }

    @Test
    void anEmptyListHasNoPagesAndOneChunkIsOnePage() {
        assertEquals(List.of(), ChunkPages.of(ChunkList.EMPTY));
        ChunkList one = new ChunkList.Builder().add(5, Hash.sha256(new byte[] {1})).build();

        List<ChunkPages.Page> pages = ChunkPages.of(one);

        assertEquals(1, pages.size());
        assertEquals(new ChunkPages.Page(0, 1, ChunkPages.hash(one, 0, 1)), pages.get(0));
        assertNotEquals(one.contentHash(), pages.get(0).hash(), "a page hash has its own label");
    }

    private static ChunkList randomList(Random random, int chunks) {
        ChunkList.Builder builder = new ChunkList.Builder();
        for (int i = 0; i < chunks; i++) {
            builder.add(16_384 + random.nextInt(200_000), randomHash(random));
        }
        return builder.build();
    }

    private static Hash randomHash(Random random) {
        byte[] bytes = new byte[Hash.BYTES];
        random.nextBytes(bytes);
        return Hash.of(bytes);
    }

    private static Set<Hash> hashes(List<ChunkPages.Page> pages) {
        Set<Hash> hashes = new HashSet<>();
        pages.forEach(p -> hashes.add(p.hash()));
        return hashes;
    }
}
