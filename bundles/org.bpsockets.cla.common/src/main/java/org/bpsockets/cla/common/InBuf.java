package org.bpsockets.cla.common;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The receive side of a stream session: one read call fills as much as the socket has, and the parser
 * takes many messages out of it. Big payloads are read straight into their destination array.
 */
public final class InBuf {
    static final int CHUNK = 256 * 1024;
    private InputStream in;
    private byte[] buf;
    private int pos;
    private int lim;
    private long bytesIn;

    public InBuf(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    /** Switches to another stream (TLS over the same connection); buffered bytes must have been consumed. */
    public void stream(InputStream next) {
        if (pos != lim) {
            throw new IllegalStateException("switching streams with " + (lim - pos) + " unread bytes");
        }
        this.in = next;
    }

    public int buffered() {
        return lim - pos;
    }

    public long bytesIn() {
        return bytesIn;
    }

    /**
     * Waits for the first byte of a message.
     *
     * @return false if the stream ended cleanly (between messages)
     */
    public boolean awaitMessage() throws IOException {
        if (lim > pos) {
            return true;
        }
        pos = 0;
        lim = 0;
        int r = in.read(buf, 0, buf.length);
        if (r < 0) {
            return false;
        }
        lim = r;
        bytesIn += r;
        return true;
    }

    /** Makes {@code n} bytes available (reading as much as is there, beyond n). */
    public void need(int n) throws IOException {
        if (lim - pos >= n) {
            return;
        }
        fill(n, false);
    }

    /** Makes {@code n} bytes available without reading a byte beyond them (before a TLS handshake). */
    public void needExact(int n) throws IOException {
        if (lim - pos >= n) {
            return;
        }
        fill(n, true);
    }

    private void fill(int n, boolean exact) throws IOException {
        if (buf.length < n) {
            byte[] bigger = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, pos, bigger, 0, lim - pos);
            lim -= pos;
            pos = 0;
            buf = bigger;
        } else if (buf.length - pos < n) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        while (lim - pos < n) {
            int want = exact ? n - (lim - pos) : buf.length - lim;
            int r = in.read(buf, lim, want);
            if (r < 0) {
                throw new EOFException("connection closed inside a message");
            }
            lim += r;
            bytesIn += r;
        }
    }

    public int u8() throws IOException {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public int peek8() throws IOException {
        need(1);
        return buf[pos] & 0xFF;
    }

    public int u16() throws IOException {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public long u32() throws IOException {
        need(4);
        long v = ((long) (buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    /** An unsigned 64-bit value; above 2^63-1 it comes back negative (callers treat that as "too large"). */
    public long u64() throws IOException {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /**
     * An SDNV (RFC 6256) of at most 63 bits.
     *
     * @throws ProtocolException ("bad-sdnv") if it is longer than 9 bytes or overflows
     */
    public long sdnv() throws IOException {
        long v = 0;
        for (int i = 0; i < 10; i++) {
            int b = u8();
            if ((v >>> 56) != 0) {
                throw new ProtocolException("bad-sdnv", -1, "SDNV value exceeds 63 bits");
            }
            v = (v << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new ProtocolException("bad-sdnv", -1, "SDNV longer than 10 bytes");
    }

    /** Reads exactly {@code len} bytes into {@code dst}: buffered ones first, the rest straight from the stream. */
    public void readFully(byte[] dst, int off, int len) throws IOException {
        int have = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, dst, off, have);
        pos += have;
        off += have;
        len -= have;
        if (len > 0 && len < buf.length / 2) {
            need(len);
            System.arraycopy(buf, pos, dst, off, len);
            pos += len;
            return;
        }
        while (len > 0) {
            // Bounded reads: the JDK stages socket reads in a temporary direct buffer of the request's
            // size, and a cache-sized one copies faster than one as large as the bundle.
            int r = in.read(dst, off, Math.min(len, CHUNK));
            if (r < 0) {
                throw new EOFException("connection closed inside a message");
            }
            off += r;
            len -= r;
            bytesIn += r;
        }
    }

    /** Discards {@code len} bytes (a refused transfer's data) without allocating for them. */
    public void skip(long len) throws IOException {
        while (len > 0) {
            if (lim == pos) {
                pos = 0;
                lim = 0;
                int r = in.read(buf, 0, buf.length);
                if (r < 0) {
                    throw new EOFException("connection closed inside a message");
                }
                lim = r;
                bytesIn += r;
            }
            int n = (int) Math.min(len, lim - pos);
            pos += n;
            len -= n;
        }
    }

    /** Copies buffered bytes out without consuming them (for header parsers working on a view). */
    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public void position(int p) {
        pos = p;
    }

    public int limit() {
        return lim;
    }
}
