package dev.mirror.core;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Native memory that bytes pass through between the heap and a C call bound through JNA's direct mapping.
 * Given a Java array, such a call copies all of it into memory of its own before the call and all of it back after
 * (JNA takes it with {@code Get/ReleaseByteArrayElements}, which copy in HotSpot): a megabyte frame for a 32 KiB
 * chunk cut from it, each byte of a file read twice more. Given this memory's address, the call reads or writes
 * only what it needs, and one copy moves it to or from the heap. One per thread that needs one (a
 * {@link ThreadLocal} of the class that calls); not thread-safe.
 */
public final class NativeScratch {
    private final ByteBuffer buffer;
    private final long address;

    public NativeScratch(int bytes) {
        buffer = ByteBuffer.allocateDirect(bytes);
        address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /** Where the memory starts, to pass to a C call as a pointer. */
    public long address() {
        return address;
    }

    /** Copies {@code length} bytes of {@code source} from {@code offset} to {@code at} in this memory. */
    public void put(int at, byte[] source, int offset, int length) {
        buffer.put(at, source, offset, length);
    }

    /** Copies {@code length} bytes at {@code at} in this memory into {@code target} at {@code offset}. */
    public void get(int at, byte[] target, int offset, int length) {
        buffer.get(at, target, offset, length);
    }
}
