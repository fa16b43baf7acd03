package dev.mirror.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** Small files replaced whole and durably: readers see the old content or the new, even after a power loss. */
public final class DurableFiles {
    /** The suffix of a file being written; one left behind was cut off by a crash and may be deleted. */
    public static final String TEMP_SUFFIX = ".tmp";
    private static final SecureRandom RANDOM = new SecureRandom();

    private DurableFiles() {
    }

    /**
     * Writes {@code content} to an owner-only temp file beside {@code target}, fsyncs it, renames it over
     * {@code target}, and fsyncs the directory (without that, power loss could undo the rename).
     */
    public static void replace(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        Path temp = dir.resolve(target.getFileName() + "." + HexFormat.of().formatHex(random) + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
