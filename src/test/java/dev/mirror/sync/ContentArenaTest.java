package dev.mirror.sync;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentArenaTest {
    @Test
    void copiesAreDirectAndLeaveTheSourceAlone() {
        ContentArena arena = ContentArena.forWaves();
        arena.startOver();
        ByteBuffer source = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}).position(1);

        ByteBuffer copy = arena.copy(source);

        assertTrue(copy.isDirect());
        assertEquals(ByteBuffer.wrap(new byte[] {2, 3, 4, 5}), copy);
        assertEquals(1, source.position());
    }

    @Test
    void aFullWaveCopiesNothingUntilTheNextStarts() {
        ContentArena arena = ContentArena.forWaves();
        arena.startOver();
        ByteBuffer first = arena.copy(ByteBuffer.allocate(ContentArena.WAVE_BYTES - 1).put(0, (byte) 7));

        assertNull(arena.copy(ByteBuffer.allocate(2)), "no room: the caller keeps its bytes");
        assertNotNull(arena.copy(ByteBuffer.allocate(1)), "what fits still fits");
        assertEquals(7, first.get(0), "copies so far are untouched");

        arena.startOver();
        ByteBuffer next = arena.copy(ByteBuffer.wrap(new byte[] {9}));
        assertEquals(9, next.get(0));
        assertEquals(9, first.get(0), "a new wave reuses the memory: the last wave's slices are no longer valid");
    }

    @Test
    void eachThreadHasItsOwn() throws Exception {
        ContentArena[] other = new ContentArena[1];
        Thread thread = new Thread(() -> other[0] = ContentArena.forWaves());
        thread.start();
        thread.join();

        assertTrue(other[0] != ContentArena.forWaves());
    }
}
