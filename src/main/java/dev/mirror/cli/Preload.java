package dev.mirror.cli;

import dev.mirror.wire.TlsContexts;
import org.rocksdb.util.Environment;

/**
 * Starts loading, on threads of their own, what the command about to run needs first and takes long to load, while
 * the main thread builds its command line (picocli reads the command's annotations: ~0.12 s of a fresh JVM, mostly
 * interpreted): RocksDB's native library (~50 ms: 15 MB to map and relocate) for a command that opens an index, and
 * the TLS engine for one that links with peers ({@link TlsContexts#prepareInBackground}). A peer's start reached its
 * first link ~0.08 s sooner.
 */
final class Preload {
    private Preload() {
    }

    /** Starts what the subcommand {@code name} will need; for any other word, nothing. */
    static void forCommand(String name) {
        switch (name) {
            // Even TlsContexts's own initialisation is not for the main thread: it makes the first logger, and
            // SLF4J sets itself up then (~40 ms).
            case "serve", "join" -> start(() -> {
                TlsContexts.prepareInBackground();
                rocksDb();
            });
            // Not status, versions or restore: they ask the running peer first, and most of the time it answers.
            case "scan" -> start(Preload::rocksDb);
            default -> {
            }
        }
    }

    /**
     * Loads the library where {@code bin/mirror} unpacked it ({@code java.library.path}), as RocksDB looks for it
     * there too before anything else: its own load then finds it loaded. Not {@code RocksDB.loadLibrary()}, which
     * would wait forever in the command's thread for a load that failed here with an error. Failing here changes
     * nothing: RocksDB tries again, its own way, and reports what it meets.
     */
    private static void rocksDb() {
        try {
            System.loadLibrary(Environment.getJniLibraryName("rocksdb"));
        } catch (UnsatisfiedLinkError | SecurityException e) {
            // Not unpacked here (tests, another platform): RocksDB extracts its own copy from its jar.
        }
    }

    private static void start(Runnable load) {
        Thread thread = new Thread(load, "mirror-preload");
        thread.setDaemon(true);
        thread.start();
    }
}
