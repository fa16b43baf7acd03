package dev.mirror.core;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.management.HotSpotDiagnosticMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * SHA-256 computed by the system's libcrypto (OpenSSL 3 or 1.1), which uses the CPU's SHA instructions where it has
 * them whatever the JVM's compilers do. The JDK's SHA-256 is as fast only once C2 has compiled it into its
 * intrinsic; with this one, bin/mirror can run the JVM with C1 alone (bench/README.md, "JVM options").
 *
 * <p>The state is OpenSSL's {@code SHA256_CTX}, kept in a Java array: a digest owns no native memory and is dropped
 * like any object. Bytes reach the library from native memory only, because JNA passes a Java array by copying all
 * of it (a megabyte frame for a 32 KiB chunk cut from it): bytes in the heap go through a per-thread direct buffer.
 * Updates of a few bytes (the Merkle tree's names and sizes) are gathered in Java first, as one native call costs
 * more than hashing them.
 */
final class NativeSha256 extends MessageDigest implements Cloneable {
    /** The sonames tried, newest first; 1.1 and 3 lay out {@code SHA256_CTX} alike. */
    static final List<String> LIBRARIES = List.of("libcrypto.so.3", "libcrypto.so.1.1");
    /** {@code sizeof(SHA256_CTX)}: eight words of state, two of length, sixteen of block, two counts (32-bit). */
    private static final int CONTEXT_BYTES = 112;
    private static final int GATHERED_BYTES = 256;
    private static final int STAGING_BYTES = 64 * 1024;
    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    /** Whether the library was found and bound; if not, no instance may be made. */
    static final boolean AVAILABLE = bind(LIBRARIES) != null;

    private byte[] context = new byte[CONTEXT_BYTES];
    private byte[] gathered = new byte[GATHERED_BYTES];
    private int gatheredLength;

    NativeSha256() {
        super("SHA-256");
        SHA256_Init(context);
    }

    private static native int SHA256_Init(byte[] context);

    /** {@code data} is the address of {@code length} bytes of native memory. */
    private static native int SHA256_Update(byte[] context, long data, long length);

    private static native int SHA256_Final(byte[] digest, byte[] context);

    /**
     * Binds the native methods to the first of {@code libraries} that loads and has them; returns its name, or null
     * (logged at debug) if none does.
     */
    static String bind(List<String> libraries) {
        List<String> failures = new ArrayList<>();
        for (String library : libraries) {
            try {
                Native.register(NativeSha256.class, NativeLibrary.getInstance(library));
                return library;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        Logger log = LoggerFactory.getLogger(NativeSha256.class);
        if (withoutC2()) {
            log.warn("SHA-256 runs in Java without the JVM's optimising compiler, about ten times slower: no libcrypto"
                    + " could be bound ({}); MIRROR_JAVA_OPTS=-XX:TieredStopAtLevel=4 turns the compiler back on",
                    failures);
        } else {
            log.debug("No libcrypto to compute SHA-256 with, the JDK's is used: {}", failures);
        }
        return null;
    }

    /** Whether this JVM runs C1 alone (bin/mirror's choice where it finds libcrypto), where the JDK's is slow. */
    private static boolean withoutC2() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm != null && Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) < 4;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return Hash.BYTES;
    }

    @Override
    protected void engineUpdate(byte input) {
        if (gatheredLength == GATHERED_BYTES) {
            flushGathered();
        }
        gathered[gatheredLength++] = input;
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
        if (length <= GATHERED_BYTES - gatheredLength) {
            System.arraycopy(input, offset, gathered, gatheredLength, length);
            gatheredLength += length;
            return;
        }
        flushGathered();
        STAGING.get().hash(context, input, offset, length);
    }

    /** Bytes in native memory go to the library where they are; the JDK's default copies them into the heap. */
    @Override
    protected void engineUpdate(ByteBuffer input) {
        int length = input.remaining();
        if (!input.isDirect() || length <= GATHERED_BYTES - gatheredLength) {
            super.engineUpdate(input);
            return;
        }
        flushGathered();
        SHA256_Update(context, Pointer.nativeValue(Native.getDirectBufferPointer(input)) + input.position(), length);
        input.position(input.limit());
    }

    @Override
    protected byte[] engineDigest() {
        byte[] digest = new byte[Hash.BYTES];
        finish(digest);
        return digest;
    }

    @Override
    protected int engineDigest(byte[] output, int offset, int length) throws DigestException {
        if (length < Hash.BYTES) {
            throw new DigestException("SHA-256 needs 32 bytes of output, not " + length);
        }
        byte[] digest = engineDigest();
        System.arraycopy(digest, 0, output, offset, Hash.BYTES);
        return Hash.BYTES;
    }

    @Override
    protected void engineReset() {
        gatheredLength = 0;
        SHA256_Init(context);
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = (NativeSha256) super.clone();
        copy.context = context.clone();
        copy.gathered = gathered.clone();
        return copy;
    }

    /** Writes the digest and starts over, as {@link MessageDigest#digest()} promises. */
    private void finish(byte[] digest) {
        flushGathered();
        SHA256_Final(digest, context);
        SHA256_Init(context);
    }

    private void flushGathered() {
        if (gatheredLength > 0) {
            STAGING.get().hash(context, gathered, 0, gatheredLength);
            gatheredLength = 0;
        }
    }

    /** A thread's direct buffer that bytes from the heap pass through on their way to the library. */
    private static final class Staging {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(STAGING_BYTES);
        private final long address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));

        void hash(byte[] context, byte[] input, int offset, int length) {
            while (length > 0) {
                int part = Math.min(length, STAGING_BYTES);
                buffer.clear();
                buffer.put(input, offset, part);
                SHA256_Update(context, address, part);
                offset += part;
                length -= part;
            }
        }
    }
}
