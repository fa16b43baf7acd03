package dev.mirror.store;

/** Another mirror process holds the folder's lock. */
public final class AlreadyRunningException extends FolderException {
    public AlreadyRunningException(String message) {
        super(message);
    }
}
