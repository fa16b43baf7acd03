package dev.mirror.store;

/** The folder being mirrored disappeared or was replaced while mirror ran: the peer must stop, not sync. */
public final class FolderGoneException extends FolderException {
    public FolderGoneException(String message) {
        super(message);
    }
}
