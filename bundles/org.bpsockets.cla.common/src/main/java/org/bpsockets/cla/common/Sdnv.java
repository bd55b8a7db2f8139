package org.bpsockets.cla.common;

/** Self-delimiting numeric values (RFC 6256), as TCPCLv3 writes its lengths. */
public final class Sdnv {
    private Sdnv() {
    }

    public static int size(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** Writes {@code v} at {@code pos}; returns the position after it. */
    public static int put(byte[] dst, int pos, long v) {
        int n = size(v);
        for (int i = n - 1; i >= 0; i--) {
            int b = (int) (v >>> (7 * i)) & 0x7F;
            dst[pos++] = (byte) (i == 0 ? b : b | 0x80);
        }
        return pos;
    }

    public static byte[] encode(long v) {
        byte[] out = new byte[size(v)];
        put(out, 0, v);
        return out;
    }
}
