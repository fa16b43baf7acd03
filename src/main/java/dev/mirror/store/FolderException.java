package dev.mirror.store;

import java.io.IOException;

/** The synced folder cannot be used as asked; the message is a sentence for the user. */
public class FolderException extends IOException {
    public FolderException(String message) {
        super(message);
    }
}
