package org.bpsockets.bpv7;

import java.util.Arrays;

/** Writes CBOR into one growable array, always with the shortest head for every integer and length. */
final class CborWriter {
    private byte[] buf;
    private int len;

    CborWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (buf.length - len < more) {
            long want = Math.max((long) buf.length * 2, (long) len + more);
            if (want > Integer.MAX_VALUE - 8) {
                if ((long) len + more > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("encoding exceeds the largest Java array");
                }
                want = Integer.MAX_VALUE - 8;
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    /** Size of the shortest head carrying this (unsigned) argument. */
    static int headSize(long v) {
        if (v >= 0 && v < 24) {
            return 1;
        }
        if (v >= 0 && v <= 0xFF) {
            return 2;
        }
        if (v >= 0 && v <= 0xFFFF) {
            return 3;
        }
        if (v >= 0 && v <= 0xFFFF_FFFFL) {
            return 5;
        }
        return 9;
    }

    /** Writes the shortest head for the major type and (unsigned) argument into {@code out} at {@code at}; returns the new offset. */
    static int putHead(byte[] out, int at, int major, long v) {
        int mt = major << 5;
        switch (headSize(v)) {
            case 1 -> out[at++] = (byte) (mt | (int) v);
            case 2 -> {
                out[at++] = (byte) (mt | 24);
                out[at++] = (byte) v;
            }
            case 3 -> {
                out[at++] = (byte) (mt | 25);
                out[at++] = (byte) (v >>> 8);
                out[at++] = (byte) v;
            }
            case 5 -> {
                out[at++] = (byte) (mt | 26);
                for (int s = 24; s >= 0; s -= 8) {
                    out[at++] = (byte) (v >>> s);
                }
            }
            default -> {
                out[at++] = (byte) (mt | 27);
                for (int s = 56; s >= 0; s -= 8) {
                    out[at++] = (byte) (v >>> s);
                }
            }
        }
        return at;
    }

    CborWriter head(int major, long v) {
        ensure(9);
        len = putHead(buf, len, major, v);
        return this;
    }

    CborWriter uint(long v) {
        return head(CborReader.UINT, v);
    }

    CborWriter array(int n) {
        return head(CborReader.ARRAY, n);
    }

    CborWriter bool(boolean b) {
        return raw(b ? 0xF5 : 0xF4);
    }

    /** A text string of US-ASCII characters (the caller has checked them). */
    CborWriter ascii(String s) {
        head(CborReader.TEXT, s.length());
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    CborWriter raw(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    CborWriter raw(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** Appends {@code n} zero bytes (room for a CRC value). */
    CborWriter zeros(int n) {
        ensure(n);
        Arrays.fill(buf, len, len + n, (byte) 0);
        len += n;
        return this;
    }
}
