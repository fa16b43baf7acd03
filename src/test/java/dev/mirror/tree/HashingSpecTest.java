package dev.mirror.tree;

import dev.mirror.identity.Identity;
import dev.mirror.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Recomputes roots from docs/hashing.md alone, with nothing but MessageDigest, and checks the scan agrees: if the
 * code and the document ever disagree, a second implementation written from the document would too.
 */
class HashingSpecTest {
    @TempDir
    Path folder;

    @Test
    void emptyFolderRootIsAsDocumented() throws Exception {
        byte[] children = sha(label("mirror.children.v1"));
        byte[] root = sha(label("mirror.root.v1"), children);
        assertEquals(HexFormat.of().formatHex(root), TestFolders.scan(folder).summary().treeHash().hex());
    }

    @Test
    void folderWithAFileInADirectoryHasTheDocumentedRoot() throws Exception {
        long mtimeNanos = Instant.parse("2024-02-03T04:05:06.123456789Z").getEpochSecond() * 1_000_000_000L
                + 123_456_789L;
        Path file = TestFolders.write(folder, "docs/é.txt", "hello");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.ofEpochSecond(0, mtimeNanos)));
        Files.setPosixFilePermissions(folder.resolve("docs"), PosixFilePermissions.fromString("rwxr-x---"));
        String actual = TestFolders.scan(folder).summary().treeHash().hex();

        long device = Identity.loadOrCreate(folder.resolve(".mirror")).deviceId().shortId();
        byte[] chunk = sha("hello".getBytes(StandardCharsets.UTF_8));
        byte[] content = sha(label("mirror.content.v1"), ByteBuffer.allocate(4).putInt(5).array(), chunk);
        byte[] fileEntry = sha(label("mirror.entry.v1"), new byte[] {1, 0}, u32(0640), u64(5), u64(mtimeNanos),
                content, u32(1), u64(device), u64(1));
        byte[] fileBucket = sha(label("mirror.bucket.v1"), u32("é.txt".getBytes(StandardCharsets.UTF_8).length),
                "é.txt".getBytes(StandardCharsets.UTF_8), fileEntry);
        byte[] dirChildren = sha(label("mirror.children.v1"), fileBucket);
        byte[] dirEntry = sha(label("mirror.entry.v1"), new byte[] {2, 0}, u32(0750), u64(0), u64(0),
                new byte[32], u32(1), u64(device), u64(1));
        byte[] dirTree = sha(label("mirror.dir.v1"), dirEntry, dirChildren);
        byte[] rootBucket = sha(label("mirror.bucket.v1"), u32(4), "docs".getBytes(StandardCharsets.UTF_8), dirTree);
        byte[] root = sha(label("mirror.root.v1"), sha(label("mirror.children.v1"), rootBucket));
        assertEquals(HexFormat.of().formatHex(root), actual);
    }

    private static byte[] label(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        return out.toByteArray();
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static byte[] sha(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }
}
