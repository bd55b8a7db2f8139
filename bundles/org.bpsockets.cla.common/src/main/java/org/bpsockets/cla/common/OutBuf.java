package org.bpsockets.cla.common;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The send side of a stream session: messages collect in one array and leave in one write call;
 * payloads of at least {@link #DIRECT_WRITE} bytes are written from the bundle's own array.
 */
public final class OutBuf {
    /** From this size on a heap payload is not copied into the buffer. */
    public static final int DIRECT_WRITE = 16 * 1024;

    private OutputStream out;
    private final byte[] buf;
    private int pos;
    private long bytesOut;
    private long flushes;

    public OutBuf(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    public void stream(OutputStream next) {
        if (pos != 0) {
            throw new IllegalStateException("switching streams with unsent bytes");
        }
        this.out = next;
    }

    public int pending() {
        return pos;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Write calls issued: with bytesOut(), shows how well writes are batched. */
    public long writes() {
        return flushes;
    }

    private void room(int n) throws IOException {
        if (buf.length - pos < n) {
            drain();
        }
    }

    public OutBuf u8(int v) throws IOException {
        room(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public OutBuf u16(int v) throws IOException {
        room(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public OutBuf u32(long v) throws IOException {
        room(4);
        for (int s = 24; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
        return this;
    }

    public OutBuf u64(long v) throws IOException {
        room(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
        return this;
    }

    public OutBuf sdnv(long v) throws IOException {
        room(10);
        pos = Sdnv.put(buf, pos, v);
        return this;
    }

    public OutBuf bytes(byte[] src, int off, int len) throws IOException {
        if (len >= DIRECT_WRITE) {
            drain();
            while (len > 0) {
                // Bounded writes, for the same staging-buffer reason as InBuf's reads.
                int n = Math.min(len, InBuf.CHUNK);
                out.write(src, off, n);
                off += n;
                len -= n;
                bytesOut += n;
                flushes++;
            }
            return this;
        }
        while (len > 0) {
            room(1);
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(src, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
        return this;
    }

    /** Bytes {@code from..from+len} of a transfer's bundle: array parts written from their own arrays. */
    public OutBuf bytes(Transfer t, int from, int len) throws IOException {
        if (t.array() != null) {
            return bytes(t.array(), t.arrayOffset() + from, len);
        }
        for (int i = 0; i < t.parts() && len > 0; i++) {
            int in = from - t.partOffset(i);
            if (in >= t.partLength(i)) {
                continue;
            }
            int n = Math.min(len, t.partLength(i) - in);
            if (t.partArray(i) != null) {
                bytes(t.partArray(i), t.partStart(i) + in, n);
            } else {
                copied(t, from, n);
            }
            from += n;
            len -= n;
        }
        return this;
    }

    private void copied(Transfer t, int from, int len) throws IOException {
        while (len > 0) {
            room(1);
            int n = Math.min(len, buf.length - pos);
            t.copy(from, buf, pos, n);
            pos += n;
            from += n;
            len -= n;
        }
    }

    public OutBuf bytes(CtrlBuf ctrl) throws IOException {
        return bytes(ctrl.array(), 0, ctrl.size());
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            bytesOut += pos;
            flushes++;
            pos = 0;
        }
    }

    /** Hands everything to the socket. */
    public void flush() throws IOException {
        drain();
        out.flush();
    }
}
