package dev.mirror.store;

import java.io.IOException;

/**
 * Recognises a write that failed because the disk (or the user's quota) is full. Java reports ENOSPC and EDQUOT only
 * as the operating system's message, so the message is what is checked, along the chain of causes.
 */
public final class DiskFull {
    private DiskFull() {
    }

    public static boolean is(IOException problem) {
        for (Throwable cause = problem; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && (message.contains("No space left on device")
                    || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
