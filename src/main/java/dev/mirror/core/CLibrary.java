package dev.mirror.core;

import com.sun.jna.Native;
import org.slf4j.LoggerFactory;

import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * What every class of C library calls needs (`store.LibC`, `store.DirectoryCalls`, `watch.Inotify`): binding its
 * native methods through JNA's direct mapping, and file names in the encoding those calls take.
 */
public final class CLibrary {
    /** The charset the JDK itself encodes file names with. */
    private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private CLibrary() {
    }

    /**
     * Binds the native methods of {@code calls} to the C library; false (and {@code withoutThem}, why it matters,
     * logged at debug) if one of them cannot be.
     */
    public static boolean bind(Class<?> calls, String withoutThem) {
        try {
            Native.register(calls, "c");
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LoggerFactory.getLogger(calls).debug("The C library's calls of {} could not be bound ({}): {}",
                    calls.getSimpleName(), e.getMessage(), withoutThem);
            return false;
        }
    }

    /**
     * A path or a name as the NUL-terminated bytes the C calls take, in the charset the JDK itself encodes file names
     * with, so that both name the same file whatever JNA's own default encoding is.
     */
    public static byte[] path(String path) {
        byte[] name = path.getBytes(NAMES);
        return Arrays.copyOf(name, name.length + 1);
    }

    /** The first {@code length} bytes of {@code name} decoded as the JDK decodes file names. */
    public static String name(byte[] name, int length) {
        return new String(name, 0, length, NAMES);
    }
}
