package dev.mirror.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The folder's scratch directory {@code .mirror/tmp/}: whatever mirror puts into the folder (file, symlink,
 * directory) is made here first under a fresh name and renamed into place, so nothing half-made ever has a real
 * name. Leftovers of a killed run are deleted when it is opened, except {@linkplain PartFiles parts}, which a later
 * attempt resumes. Thread-safe: it keeps no state but the directory's handle, and the JDK's secure directory stream
 * takes a read lock around each call made through it (a writer creates files here while the flush thread renames
 * others out).
 */
final class TempDirectory implements AutoCloseable {
    static final String NAME = "tmp";
    private static final int MAX_ATTEMPTS = 100;

    private final Path path;
    private final SecureDirectoryStream<Path> stream;

    /** Takes over {@code stream}, an open handle on {@code path}. */
    TempDirectory(Path path, SecureDirectoryStream<Path> stream) {
        this.path = path;
        this.stream = stream;
    }

    Path path() {
        return path;
    }

    /** The open handle: the source of every rename into the folder. */
    SecureDirectoryStream<Path> stream() {
        return stream;
    }

    /**
     * Makes something new under a fresh name: {@code maker} must create {@code candidate} exclusively (fail with
     * {@link FileAlreadyExistsException} if it exists), and is called again with another name if it does.
     */
    <T> T create(String prefix, Maker<T> maker) throws IOException {
        for (int attempt = 1; ; attempt++) {
            // 63 random bits: Long.toUnsignedString would take a BigInteger for half of all values, a file each.
            Path candidate = path.resolve(prefix + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
            try {
                return maker.make(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Deletes what a killed run left here but its parts (regular files only): the files, links and directories it
     * was making under fresh names. Safe only while the caller holds the folder's lock, so that no other process has
     * anything in progress here.
     */
    void deleteLeftovers() throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                boolean part = attributes.isRegularFile() && file.getParent().equals(path)
                        && PartFiles.isPart(file.getFileName().toString());
                if (!part) {
                    Files.delete(file); // A symlink is visited as itself, never followed.
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!dir.equals(path)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes {@code name} if it is still here; a failure is added to {@code cause}, which the caller throws. */
    void deleteQuietly(String name, Throwable cause) {
        try {
            Files.deleteIfExists(path.resolve(name));
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /** Creates one thing at a path it is given. */
    interface Maker<T> {
        T make(Path candidate) throws IOException;
    }
}
