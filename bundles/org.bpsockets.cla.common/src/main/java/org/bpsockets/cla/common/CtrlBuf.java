package org.bpsockets.cla.common;

import java.util.Arrays;

/** Control messages (acknowledgements, refusals, replies) queued by any thread for the writer. */
public final class CtrlBuf {
    private byte[] buf;
    private int size;

    public CtrlBuf(int capacity) {
        buf = new byte[capacity];
    }

    private void room(int n) {
        if (buf.length - size < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }

    public CtrlBuf u8(int v) {
        room(1);
        buf[size++] = (byte) v;
        return this;
    }

    public CtrlBuf u16(int v) {
        room(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public CtrlBuf u64(long v) {
        room(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[size++] = (byte) (v >>> s);
        }
        return this;
    }

    public CtrlBuf sdnv(long v) {
        room(10);
        size = Sdnv.put(buf, size, v);
        return this;
    }

    public CtrlBuf bytes(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    byte[] array() {
        return buf;
    }

    public void clear() {
        size = 0;
    }
}
