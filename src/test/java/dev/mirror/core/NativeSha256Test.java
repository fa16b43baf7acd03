package dev.mirror.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * libcrypto's SHA-256 against the JDK's, byte for byte, through every way bytes reach a digest: arrays at any offset,
 * heap and direct buffers, single bytes, pieces larger than the staging buffer, clones taken half-way. Skipped where
 * no libcrypto is installed (there {@link Hash} uses the JDK's digest alone).
 */
class NativeSha256Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hashesTheKnownVectors() {
        assumeTrue(Hash.isNative(), "no libcrypto here");

        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex("abc".getBytes()));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes()));
    }

    @Test
    void agreesWithTheJdkWhateverTheUpdatesLookLike() throws Exception {
        assumeTrue(Hash.isNative(), "no libcrypto here");
        Random random = new Random(4);
        MessageDigest jdk = MessageDigest.getInstance("SHA-256", "SUN");

        for (int round = 0; round < 300; round++) {
            byte[] data = new byte[random.nextInt(200_000)];
            random.nextBytes(data);
            MessageDigest digest = Hash.newDigest();
            assertInstanceOf(NativeSha256.class, digest);
            MessageDigest halfway = null;
            int clonedAt = 0;
            for (int at = 0; at < data.length; ) {
                int length = Math.min(data.length - at, random.nextBoolean() ? random.nextInt(12)
                        : random.nextInt(100_000));
                update(digest, random.nextInt(4), data, at, length);
                at += length;
                if (halfway == null && at > data.length / 2) {
                    halfway = (MessageDigest) digest.clone();
                    clonedAt = at;
                }
            }
            byte[] expected = jdk.digest(data);
            assertArrayEquals(expected, digest.digest(), "round " + round);
            if (halfway != null) {
                // The clone goes on from where it was taken, apart from the original.
                halfway.update(data, clonedAt, data.length - clonedAt);
                assertArrayEquals(expected, halfway.digest(), "clone of round " + round);
            }
        }
    }

    @Test
    void startsOverAfterEachDigestAndReset() {
        assumeTrue(Hash.isNative(), "no libcrypto here");
        MessageDigest digest = Hash.newDigest();
        byte[] abc = "abc".getBytes();

        digest.update(new byte[1000]);
        digest.digest();
        byte[] afterDigest = digest.digest(abc);
        digest.update(new byte[100_000]);
        digest.reset();
        byte[] afterReset = digest.digest(abc);

        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HEX.formatHex(afterDigest));
        assertArrayEquals(afterDigest, afterReset);
    }

    @Test
    void writesIntoAnArrayAtAnOffset() throws Exception {
        assumeTrue(Hash.isNative(), "no libcrypto here");
        MessageDigest digest = Hash.newDigest();
        byte[] output = new byte[40];

        digest.update("abc".getBytes());
        assertEquals(32, digest.digest(output, 5, 35));

        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HEX.formatHex(output, 5, 37));
    }

    @Test
    void aMissingLibraryLeavesItUnbound() {
        assertNull(NativeSha256.bind(List.of("libmirror-no-such-library.so.9")));
    }

    private static void update(MessageDigest digest, int how, byte[] data, int at, int length) {
        switch (how) {
            case 0 -> digest.update(data, at, length);
            case 1 -> digest.update(ByteBuffer.wrap(data, at, length));
            case 2 -> {
                // A direct buffer whose bytes start past its own beginning, as a slice of a frame would.
                ByteBuffer direct = ByteBuffer.allocateDirect(length + 7).position(7);
                direct.put(data, at, length).position(7);
                digest.update(direct);
                assertEquals(direct.limit(), direct.position());
            }
            default -> {
                for (int i = at; i < at + length; i++) {
                    digest.update(data[i]);
                }
            }
        }
    }

    private static String hex(byte[] data) {
        return HEX.formatHex(Hash.newDigest().digest(data));
    }
}
