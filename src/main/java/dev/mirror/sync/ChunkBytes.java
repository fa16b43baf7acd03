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
        return capture.pieces == 1 ? capture.buffer : ByteBuffer.wrap(data.toByteArray());
    }

    /** Keeps the one array a parsed ByteString hands over; counts the pieces of any other kind. */
    private static final class Capture extends ByteOutput {
        ByteBuffer buffer;
        int pieces;

        @Override
        public void write(byte value) {
            pieces += 2;
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            writeLazy(value, offset, length);
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            pieces++;
            buffer = ByteBuffer.wrap(value, offset, length);
        }

        @Override
        public void write(ByteBuffer value) {
            writeLazy(value);
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            pieces++;
            buffer = value.slice();
        }
    }
}
