package dev.mirror.sync;

import java.io.IOException;

/** A chunk a file needs could not be had: the peer changed the file meanwhile, or kept sending wrong bytes. */
public final class ChunkUnavailableException extends IOException {
    public ChunkUnavailableException(String message) {
        super(message);
    }
}
