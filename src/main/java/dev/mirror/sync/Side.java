package dev.mirror.sync;

/** One end of a link, seen from the device that runs the decision. */
public enum Side {
    LOCAL,
    REMOTE;

    /** The same end seen from the peer. */
    public Side opposite() {
        return this == LOCAL ? REMOTE : LOCAL;
    }
}
