package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.scan.ChunkList;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cuts a chunk list into pages at content-defined boundaries (docs/hashing.md, "Pages"), so that a peer holding an
 * older version of a big file asks for the page hashes and fetches the chunk records of changed pages only. A page
 * ends after a chunk whose hash's first two bytes, as an unsigned big-endian number, are divisible by 64, after
 * 1,024 chunks, and at the end of the list. The cuts depend on the chunk hashes alone, so an insertion changes the
 * page holding it (and the next one, if it moves a cut) while every later page keeps its hash, though every chunk
 * number after the insertion shifts.
 *
 * <p>Why 64: a page's hash costs about 40 bytes on the link, a changed page 40 bytes a chunk. For a list of
 * {@code n} chunks with one or two changed pages of {@code k} chunks each, {@code 40 n / k + 80 k} is least near
 * {@code k = sqrt(n / 2)}: 64 for 8,192 chunks (a 512 MiB file), and within 25% of the best from 2,000 to 32,000
 * chunks. The 1,024 cap bounds a page's records (40 KiB) whatever the hashes; random hashes reach it about once in
 * ten million pages. Stateless and thread-safe.
 */
final class ChunkPages {
    /** A chunk whose hash's leading u16 is a multiple of this ends its page: about 64 chunks a page. */
    static final int BOUNDARY_MODULUS = 64;
    /** Most chunks a page holds. */
    static final int MAX_CHUNKS = 1024;
    private static final byte[] LABEL = "mirror.page.v1\0".getBytes(StandardCharsets.US_ASCII);

    private ChunkPages() {
    }

    /** Chunks {@code first} to {@code first + count - 1} of a list, named by their hash. */
    record Page(int first, int count, Hash hash) {
        Page {
            if (first < 0 || count < 1 || count > MAX_CHUNKS) {
                throw new IllegalArgumentException("a page of " + count + " chunks from chunk " + first);
            }
            Objects.requireNonNull(hash, "hash");
        }

        int end() {
            return first + count;
        }
    }

    /** The pages of {@code list}, in order; none for an empty list. */
    static List<Page> of(ChunkList list) {
        List<Page> pages = new ArrayList<>(list.count() / BOUNDARY_MODULUS + 1);
        int first = 0;
        for (int i = 0; i < list.count(); i++) {
            if (endsPage(list.hash(i)) || i + 1 - first == MAX_CHUNKS || i + 1 == list.count()) {
                pages.add(new Page(first, i + 1 - first, hash(list, first, i + 1 - first)));
                first = i + 1;
            }
        }
        return pages;
    }

    static boolean endsPage(Hash chunk) {
        byte[] bytes = chunk.toBytes();
        int leading = (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff);
        return leading % BOUNDARY_MODULUS == 0;
    }

    /** {@code H("mirror.page.v1\0" ‖ each chunk's record: u32 length ‖ hash)}, the records as the index packs them. */
    static Hash hash(ChunkList list, int first, int count) {
        MessageDigest digest = Hash.digest();
        digest.update(LABEL);
        list.updateDigest(digest, first, count);
        return Hash.finish(digest);
    }
}
