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
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHA-256 computed by the system's libcrypto (OpenSSL 3 or 1.1), which uses the CPU's SHA instructions where it has
 * them whatever the JVM's compilers do. The JDK's SHA-256 is as fast only once C2 has compiled it into its
 * intrinsic; with this one, bin/mirror can run the JVM with C1 alone (bench/README.md, "JVM options").
 *
 * <p>The state is OpenSSL's {@code SHA256_CTX}, kept in a Java array: a digest owns no native memory and is dropped
 * like any object. The library is given addresses only, never Java arrays (which JNA copies whole, in and back out,
 * with a malloc each time): the state, the bytes from the heap and the result pass through the thread's
 * {@link NativeScratch}. Updates of a few bytes (the Merkle tree's names and sizes) are gathered in Java, as one
 * native call costs more than hashing them; a message of at most 256 bytes takes two calls, an update and the final
 * one. Not OpenSSL 3's one-shot {@code SHA256()}: it fetches the algorithm again at every call (a property query
 * under a read-write lock the threads share, a reference taken and dropped): 0.83 µs for a name under C1 where this
 * takes 0.37 µs, and 2.4 µs in the receiver of a first mirror, where several threads hash at once.
 */
final class NativeSha256 extends MessageDigest implements Cloneable {
    /** The sonames tried, newest first; 1.1 and 3 lay out {@code SHA256_CTX} alike. */
    static final List<String> LIBRARIES = List.of("libcrypto.so.3", "libcrypto.so.1.1");
    /**
     * {@code -Dmirror.libcrypto=PATH} names the library to use instead; {@code none} leaves libcrypto alone, and the
     * JDK's digest does everything (where a library misbehaves, or to compare).
     */
    static final String CHOICE_PROPERTY = "mirror.libcrypto";
    /** {@code sizeof(SHA256_CTX)}: eight words of state, two of length, sixteen of block, two counts (32-bit). */
    private static final int CONTEXT_BYTES = 112;
    private static final int GATHERED_BYTES = 256;
    /**
     * The thread's scratch memory: bytes to hash from 0, then the state, then the digest. The state's slot is larger
     * than {@link #CONTEXT_BYTES}, so a library whose context were a little larger would fail the check against the
     * JDK ({@link #agreesWithTheJdk}) instead of writing past the slot.
     */
    private static final int DATA_BYTES = 64 * 1024;
    private static final int CONTEXT_AT = DATA_BYTES;
    private static final int DIGEST_AT = CONTEXT_AT + 128;
    private static final ThreadLocal<NativeScratch> SCRATCH =
            ThreadLocal.withInitial(() -> new NativeScratch(DIGEST_AT + Hash.BYTES));

    /** The library bound, or null. */
    private static final String BOUND = bind(libraries());
    /** The state {@code SHA256_Init} makes, copied where a message starts instead of calling it each time. */
    private static final byte[] INITIAL_CONTEXT = BOUND != null ? initialContext() : null;
    /** Whether the library was bound and hashes as the JDK does; if not, no instance may be made. */
    static final boolean AVAILABLE = BOUND != null && agreesWithTheJdk();

    private byte[] context = new byte[CONTEXT_BYTES];
    /** Whether {@link #context} holds bytes of this message; until then they are all in {@link #gathered}. */
    private boolean started;
    private byte[] gathered = new byte[GATHERED_BYTES];
    private int gatheredLength;

    NativeSha256() {
        super("SHA-256");
    }

    private static native int SHA256_Init(long context);

    private static native int SHA256_Update(long context, long data, long length);

    private static native int SHA256_Final(long digest, long context);

    private static List<String> libraries() {
        String chosen = System.getProperty(CHOICE_PROPERTY, "");
        return chosen.isEmpty() ? LIBRARIES : chosen.equals("none") ? List.of() : List.of(chosen);
    }

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
                // JNA's message goes on with every place it looked, the class path included: its first line says it.
                failures.add(String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceFirst(":$", ""));
            }
        }
        Logger log = LoggerFactory.getLogger(NativeSha256.class);
        if (withoutC2()) {
            log.warn("SHA-256 runs in Java without the JVM's optimising compiler, about ten times slower: no libcrypto"
                    + " could be bound {}; MIRROR_JAVA_OPTS=-XX:TieredStopAtLevel=4 turns the compiler back on",
                    failures.isEmpty() ? "(-D" + CHOICE_PROPERTY + "=none)" : failures);
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

    /**
     * Whether digests made here equal the JDK's, by both ways a message is hashed (gathered in Java, then hashed at
     * the end; a running state kept in {@code SHA256_CTX} between calls), checked once before any hash the index or a
     * peer keeps depends on it: a library of another layout or a broken build is left alone, with a warning, rather
     * than trusted. A kilobyte: every command that opens an index pays for this, and the JDK's digest runs it in the
     * interpreter.
     */
    private static boolean agreesWithTheJdk() {
        byte[] sample = new byte[1000];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = (byte) (i * 31 + (i >>> 9));
        }
        try {
            MessageDigest jdk = MessageDigest.getInstance("SHA-256");
            if (Arrays.equals(jdk.digest(Arrays.copyOf(sample, 3)), new NativeSha256().digest(Arrays.copyOf(sample, 3)))
                    && Arrays.equals(jdk.digest(sample), new NativeSha256().digest(sample))) {
                return true;
            }
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
        LoggerFactory.getLogger(NativeSha256.class).warn("{} gives other SHA-256 digests than the JDK; the JDK's are"
                + " used", BOUND);
        return false;
    }

    private static byte[] initialContext() {
        NativeScratch scratch = SCRATCH.get();
        SHA256_Init(scratch.address() + CONTEXT_AT);
        byte[] context = new byte[CONTEXT_BYTES];
        scratch.get(CONTEXT_AT, context, 0, CONTEXT_BYTES);
        return context;
    }

    @Override
    protected int engineGetDigestLength() {
        return Hash.BYTES;
    }

    @Override
    protected void engineUpdate(byte input) {
        if (gatheredLength == GATHERED_BYTES) {
            NativeScratch scratch = enter();
            leave(scratch);
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
        NativeScratch scratch = enter();
        for (int done = 0; done < length; ) {
            int part = Math.min(length - done, DATA_BYTES);
            scratch.put(0, input, offset + done, part);
            SHA256_Update(scratch.address() + CONTEXT_AT, scratch.address(), part);
            done += part;
        }
        leave(scratch);
    }

    /** Bytes in native memory go to the library where they are; the JDK's default copies them into the heap. */
    @Override
    protected void engineUpdate(ByteBuffer input) {
        int length = input.remaining();
        if (!input.isDirect() || length <= GATHERED_BYTES - gatheredLength) {
            super.engineUpdate(input);
            return;
        }
        NativeScratch scratch = enter();
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(input)) + input.position();
        SHA256_Update(scratch.address() + CONTEXT_AT, address, length);
        leave(scratch);
        input.position(input.limit());
    }

    @Override
    protected byte[] engineDigest() {
        byte[] digest = new byte[Hash.BYTES];
        NativeScratch scratch = enter();
        SHA256_Final(scratch.address() + DIGEST_AT, scratch.address() + CONTEXT_AT);
        scratch.get(DIGEST_AT, digest, 0, Hash.BYTES);
        engineReset();
        return digest;
    }

    @Override
    protected int engineDigest(byte[] output, int offset, int length) throws DigestException {
        if (length < Hash.BYTES) {
            throw new DigestException("SHA-256 needs 32 bytes of output, not " + length);
        }
        System.arraycopy(engineDigest(), 0, output, offset, Hash.BYTES);
        return Hash.BYTES;
    }

    @Override
    protected void engineReset() {
        gatheredLength = 0;
        started = false;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = (NativeSha256) super.clone();
        copy.context = context.clone();
        copy.gathered = gathered.clone();
        return copy;
    }

    /**
     * Puts this digest's state into the thread's scratch memory and hashes what was gathered into it; the next calls
     * update it there, and {@link #leave} takes it back.
     */
    private NativeScratch enter() {
        NativeScratch scratch = SCRATCH.get();
        long base = scratch.address();
        scratch.put(CONTEXT_AT, started ? context : INITIAL_CONTEXT, 0, CONTEXT_BYTES);
        if (gatheredLength > 0) {
            scratch.put(0, gathered, 0, gatheredLength);
            SHA256_Update(base + CONTEXT_AT, base, gatheredLength);
            gatheredLength = 0;
        }
        return scratch;
    }

    private void leave(NativeScratch scratch) {
        scratch.get(CONTEXT_AT, context, 0, CONTEXT_BYTES);
        started = true;
    }
}
