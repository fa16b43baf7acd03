package dev.mirror.tree;

import org.rocksdb.RocksIterator;

/**
 * Walks one directory's children in the index, in unsigned byte order of their names. Owns a native iterator:
 * close it. Not thread-safe.
 */
public final class ChildCursor implements AutoCloseable {
    private final RocksIterator iterator;
    private final byte[] prefix;
    private final byte[] start;
    private boolean started;

    ChildCursor(RocksIterator iterator, byte[] prefix, byte[] start) {
        this.iterator = iterator;
        this.prefix = prefix;
        this.start = start;
    }

    /** The next child, or null after the last. */
    public IndexedEntry next() throws IndexDamagedException {
        if (!started) {
            iterator.seek(start);
            started = true;
            if (start != prefix && iterator.isValid() && java.util.Arrays.equals(iterator.key(), start)) {
                iterator.next(); // "after" excludes the name itself
            }
        } else {
            iterator.next();
        }
        if (!iterator.isValid()) {
            return null;
        }
        byte[] key = iterator.key();
        if (!Keys.startsWith(key, prefix)) {
            return null;
        }
        return EntryCodec.decode(Keys.name(key, prefix.length), iterator.value());
    }

    @Override
    public void close() {
        iterator.close();
    }
}
