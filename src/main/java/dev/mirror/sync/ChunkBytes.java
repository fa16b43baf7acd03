package dev.mirror.sync;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A received chunk's bytes as a buffer, without copying them out of the {@link ByteString} the frame was parsed
 * into: that copy would be the third of every byte a peer sends, and as much garbage again. The view is read-only
 * by contract: nothing here writes into it, and the ByteString is dropped once the chunk is written.
 */
final class ChunkBytes {
    private ChunkBytes() {
    }

    /** The bytes of {@code data} as a buffer over its own array (or a copy, if it is not one array). */
    static ByteBuffer view(ByteString data) {
        Capture capture = new Capture();
        try {
            UnsafeByteOperations.unsafeWriteTo(data, capture);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // Capture throws none
        }
        return capture.whole != null ? capture.whole : ByteBuffer.wrap(data.toByteArray());
    }

    /** Keeps the buffer a ByteString hands over if it hands over exactly one; else keeps nothing. */
    private static final class Capture extends ByteOutput {
        ByteBuffer whole;
        private boolean more;

        @Override
        public void write(byte value) {
            keep(null);
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            writeLazy(value, offset, length);
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            keep(ByteBuffer.wrap(value, offset, length));
        }

        @Override
        public void write(ByteBuffer value) {
            writeLazy(value);
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            keep(value.slice());
        }

        private void keep(ByteBuffer piece) {
            whole = whole == null && !more ? piece : null;
            more = true;
        }
    }
}
