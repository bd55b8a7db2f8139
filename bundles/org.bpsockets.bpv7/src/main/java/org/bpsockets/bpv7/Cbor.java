package org.bpsockets.bpv7;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * CBOR byte-string heads, for convergence layers that frame each bundle as a CBOR byte string (MTCP).
 * Writing uses the shortest head; reading accepts every definite-length form (peers such as dtn7-go
 * send {@code 58 nn} even for short bundles).
 */
public final class Cbor {
    private Cbor() {
    }

    /** Number of bytes of the shortest byte-string head for this length (1, 2, 3, 5 or 9). */
    public static int byteStringHeaderSize(long length) {
        checkLength(length);
        return CborWriter.headSize(length);
    }

    /** The shortest byte-string head for a payload of this length. */
    public static byte[] byteStringHeader(long length) {
        byte[] out = new byte[byteStringHeaderSize(length)];
        CborWriter.putHead(out, 0, CborReader.BYTES, length);
        return out;
    }

    /** Puts the shortest byte-string head at the buffer's position. */
    public static void writeByteStringHeader(long length, ByteBuffer out) {
        out.put(byteStringHeader(length));
    }

    /** Writes the shortest byte-string head to the stream. */
    public static void writeByteStringHeader(long length, OutputStream out) throws IOException {
        out.write(byteStringHeader(length));
    }

    private static void checkLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
    }

    /**
     * Reads a byte-string head from the buffer. If the buffer does not yet hold the whole head,
     * returns -1 and leaves the position unchanged; otherwise advances past the head and returns the
     * declared length (which the caller checks against its limit before allocating).
     *
     * @throws MalformedBundleException if the next item is not a definite-length byte string, or its
     *         length does not fit in a signed 64-bit value
     */
    public static long readByteStringHeader(ByteBuffer in) throws MalformedBundleException {
        int p = in.position();
        if (!in.hasRemaining()) {
            return -1;
        }
        int ib = in.get(p) & 0xFF;
        int n = headArgumentBytes(ib, p);
        if (in.remaining() < 1 + n) {
            return -1;
        }
        long v = n == 0 ? ib & 0x1F : 0;
        for (int i = 1; i <= n; i++) {
            v = (v << 8) | (in.get(p + i) & 0xFF);
        }
        if (v < 0) {
            throw new MalformedBundleException(Reason.VALUE_OUT_OF_RANGE, p, "byte string length exceeds 2^63-1");
        }
        in.position(p + 1 + n);
        return v;
    }

    /**
     * Reads a byte-string head from the stream.
     *
     * @return the declared length, or -1 if the stream ended cleanly before the first byte
     * @throws EOFException if the stream ends inside the head
     * @throws MalformedBundleException if it is not a definite-length byte string
     */
    public static long readByteStringHeader(InputStream in) throws IOException, MalformedBundleException {
        int ib = in.read();
        if (ib < 0) {
            return -1;
        }
        int n = headArgumentBytes(ib, -1);
        long v = n == 0 ? ib & 0x1F : 0;
        for (int i = 0; i < n; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ends inside a CBOR byte-string head");
            }
            v = (v << 8) | b;
        }
        if (v < 0) {
            throw new MalformedBundleException(Reason.VALUE_OUT_OF_RANGE, -1, "byte string length exceeds 2^63-1");
        }
        return v;
    }

    private static int headArgumentBytes(int ib, long at) throws MalformedBundleException {
        if (ib >>> 5 != CborReader.BYTES) {
            throw new MalformedBundleException(Reason.WRONG_TYPE, at,
                    String.format("expected a CBOR byte string, found initial byte 0x%02x", ib));
        }
        int ai = ib & 0x1F;
        if (ai < 24) {
            return 0;
        }
        if (ai <= 27) {
            return 1 << (ai - 24);
        }
        throw new MalformedBundleException(Reason.BAD_CBOR, at,
                ai == 31 ? "indefinite-length byte string" : "reserved additional information " + ai);
    }
}
