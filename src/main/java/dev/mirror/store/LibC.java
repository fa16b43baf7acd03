package dev.mirror.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The calls of the C library that the JDK does not offer ({@link FileSystemSync}, {@link FileTimes}), bound once
 * through JNA. {@link #CALLS} is null where the library cannot be bound; each user then does without.
 */
interface LibC extends Library {
    LibC CALLS = Binding.load();

    /** {@code path} as {@link #cPath} encodes it. */
    int open(byte[] path, int flags) throws LastErrorException;

    int syncfs(int fd) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** {@code times} is a {@code struct timespec[2]} as 64-bit Linux lays it out: four longs. */
    int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

    /**
     * {@code path} as the NUL-terminated bytes the C calls take, in the charset the JDK itself encodes file names
     * with, so that both name the same file whatever JNA's own default encoding is.
     */
    static byte[] cPath(Path path) {
        byte[] name = path.toString().getBytes(Binding.NAMES);
        return Arrays.copyOf(name, name.length + 1);
    }

    /** Loads the binding; a holder, so that the interface itself declares only the calls. */
    final class Binding {
        private static final Logger LOG = LoggerFactory.getLogger(LibC.class);
        private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

        private Binding() {
        }

        static LibC load() {
            try {
                return Native.load("c", LibC.class);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                LOG.debug("The C library could not be bound ({}): files are fsynced one by one and mtimes are set"
                        + " by the JDK", e.getMessage());
                return null;
            }
        }
    }
}
