package dev.mirror.core;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HashTest {
    private final Random random = new Random(4);

    @Test
    void theBytesGoInAndComeOutAsTheyWere() {
        byte[] bytes = randomBytes();
        Hash hash = Hash.of(bytes);

        assertArrayEquals(bytes, hash.toBytes());
        assertEquals(HexFormat.of().formatHex(bytes), hash.hex());
        assertEquals(hash, Hash.fromHex(hash.hex()));
        byte[] framed = new byte[40];
        hash.copyTo(framed, 5);
        assertEquals(hash, Hash.of(framed, 5));
        assertArrayEquals(bytes, Arrays.copyOfRange(framed, 5, 37));
        java.nio.ByteBuffer little = java.nio.ByteBuffer.wrap(framed, 5, 32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(hash, Hash.of(little.slice()), "read as bytes, whatever order the buffer has");
        assertEquals(5, little.position(), "and left where it was");
    }

    @Test
    void theOrderIsThatOfTheBytesUnsigned() {
        for (int i = 0; i < 2_000; i++) {
            byte[] a = randomBytes();
            byte[] b = a.clone();
            // Differ at one place only, often in a byte with its high bit set, where signed and unsigned disagree.
            int at = random.nextInt(Hash.BYTES);
            b[at] = (byte) random.nextInt(256);
            int expected = Integer.signum(Arrays.compareUnsigned(a, b));
            assertEquals(expected, Integer.signum(Hash.of(a).compareTo(Hash.of(b))),
                    HexFormat.of().formatHex(a) + " against " + HexFormat.of().formatHex(b));
            assertEquals(Arrays.equals(a, b), Hash.of(a).equals(Hash.of(b)));
        }
    }

    @Test
    void equalHashesHashAlikeAndTheFirstBytesDecide() {
        byte[] bytes = randomBytes();
        byte[] last = bytes.clone();
        last[31] ^= 1;

        assertEquals(Hash.of(bytes).hashCode(), Hash.of(bytes.clone()).hashCode());
        assertEquals(Hash.of(bytes).hashCode(), Hash.of(last).hashCode());
        assertNotEquals(Hash.of(bytes), Hash.of(last));
    }

    @Test
    void aDigestFedAHashSeesItsBytes() throws Exception {
        Hash hash = Hash.of(randomBytes());
        MessageDigest fed = MessageDigest.getInstance("SHA-256");
        hash.updateDigest(fed);
        hash.updateDigest(fed);

        MessageDigest plain = MessageDigest.getInstance("SHA-256");
        plain.update(hash.toBytes());
        plain.update(hash.toBytes());
        assertArrayEquals(plain.digest(), fed.digest());
        byte[] abc = "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Hash.of(MessageDigest.getInstance("SHA-256").digest(abc)), Hash.sha256(abc));
    }

    @Test
    void aWrongLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[40], 9));
        assertThrows(IllegalArgumentException.class, () -> Hash.fromHex("ab"));
        assertThrows(IllegalArgumentException.class, () -> Hash.of(java.nio.ByteBuffer.allocate(33)));
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[Hash.BYTES];
        random.nextBytes(bytes);
        return bytes;
    }
}
