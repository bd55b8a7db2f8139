package org.bpsockets.bpv7;

import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * A forward-only CBOR (RFC 8949) reader over {@code buf[pos, end)}. It never allocates: strings are
 * returned as offsets into the buffer, and every length is checked against what remains before
 * anyone could allocate for it. Non-shortest heads are accepted.
 */
final class CborReader {
    static final int UINT = 0;
    static final int NEGINT = 1;
    static final int BYTES = 2;
    static final int TEXT = 3;
    static final int ARRAY = 4;
    static final int MAP = 5;
    static final int TAG = 6;
    static final int SIMPLE = 7;

    private static final int MAX_DEPTH = 32;
    private static final String[] MAJOR_NAMES = {
        "unsigned integer", "negative integer", "byte string", "text string", "array", "map", "tag",
        "simple value/float"};

    final byte[] buf;
    /** Offset that positions are reported relative to (the start of the input). */
    private final int base;
    int pos;
    final int end;

    CborReader(byte[] buf, int offset, int end) {
        this.buf = buf;
        this.base = offset;
        this.pos = offset;
        this.end = end;
    }

    int remaining() {
        return end - pos;
    }

    MalformedBundleException error(Reason reason, String detail) {
        return new MalformedBundleException(reason, pos - base, detail);
    }

    MalformedBundleException errorAt(int at, Reason reason, String detail) {
        return new MalformedBundleException(reason, at - base, detail);
    }

    /** The major type of the next item. */
    int peekMajor() throws MalformedBundleException {
        if (pos >= end) {
            throw error(Reason.TRUNCATED, "input ends where an item was expected");
        }
        return (buf[pos] & 0xFF) >>> 5;
    }

    /** True if the next byte is the break stop code. */
    boolean atBreak() throws MalformedBundleException {
        if (pos >= end) {
            throw error(Reason.TRUNCATED, "input ends inside an indefinite-length array");
        }
        return buf[pos] == (byte) 0xFF;
    }

    void readBreak(String what) throws MalformedBundleException {
        if (!atBreak()) {
            throw error(Reason.BAD_CBOR, "expected the break that ends " + what);
        }
        pos++;
    }

    /**
     * Reads an item head of the given major type and returns its argument as an unsigned 64-bit value
     * (which may be negative as a Java long), or -1 for an indefinite length when that is allowed.
     */
    long head(int major, String what, boolean indefiniteOk) throws MalformedBundleException {
        if (pos >= end) {
            throw error(Reason.TRUNCATED, "input ends where " + what + " was expected");
        }
        int ib = buf[pos] & 0xFF;
        int ai = ib & 0x1F;
        if (ib == 0xFF) {
            throw error(Reason.BAD_CBOR, "unexpected break where " + what + " was expected");
        }
        if (ai >= 28 && ai <= 30) {
            throw error(Reason.BAD_CBOR, "reserved additional information " + ai);
        }
        if (ib >>> 5 != major) {
            throw error(Reason.WRONG_TYPE, what + " must be a CBOR " + MAJOR_NAMES[major] + ", found a "
                    + MAJOR_NAMES[ib >>> 5]);
        }
        int at = pos;
        pos++;
        if (ai < 24) {
            return ai;
        }
        if (ai == 31) {
            if (!indefiniteOk) {
                pos = at;
                throw error(Reason.BAD_CBOR, what + " must have a definite length");
            }
            return -1;
        }
        int n = 1 << (ai - 24);
        if (end - pos < n) {
            pos = at;
            throw error(Reason.TRUNCATED, "input ends inside the head of " + what);
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    /** An unsigned integer, all 64 bits (callers that need a signed range check for {@code < 0}). */
    long readUint(String what) throws MalformedBundleException {
        return head(UINT, what, false);
    }

    /** An unsigned integer no larger than {@code max}. */
    long readUint(String what, long max) throws MalformedBundleException {
        int at = pos;
        long v = head(UINT, what, false);
        if (v < 0 || v > max) {
            throw errorAt(at, Reason.VALUE_OUT_OF_RANGE, what + " " + Long.toUnsignedString(v) + " is larger than " + max);
        }
        return v;
    }

    /** An array head: the element count, or -1 for an indefinite-length array. */
    long readArray(String what) throws MalformedBundleException {
        int at = pos;
        long n = head(ARRAY, what, true);
        // Each element takes at least one byte: a count beyond what remains cannot be satisfied.
        if (n != -1 && (n < 0 || n > end - pos)) {
            throw errorAt(at, Reason.TRUNCATED, what + " declares " + Long.toUnsignedString(n)
                    + " elements but only " + (end - pos) + " bytes remain");
        }
        return n;
    }

    /** A definite-length array of exactly {@code n} elements. */
    void readArray(String what, int n) throws MalformedBundleException {
        int at = pos;
        long got = head(ARRAY, what, false);
        if (got != n) {
            throw errorAt(at, Reason.WRONG_ARRAY_LENGTH, what + " must have " + n + " elements, has "
                    + Long.toUnsignedString(got));
        }
    }

    /** A definite-length string head of the given major type; returns the length, checked against what remains. */
    int readStringHead(int major, String what) throws MalformedBundleException {
        int at = pos;
        long n = head(major, what, false);
        if (n < 0 || n > end - pos) {
            throw errorAt(at, Reason.TRUNCATED, what + " declares " + Long.toUnsignedString(n)
                    + " bytes but only " + (end - pos) + " remain");
        }
        return (int) n;
    }

    boolean readBool(String what) throws MalformedBundleException {
        if (pos >= end) {
            throw error(Reason.TRUNCATED, "input ends where " + what + " was expected");
        }
        int ib = buf[pos] & 0xFF;
        if (ib == 0xF4 || ib == 0xF5) {
            pos++;
            return ib == 0xF5;
        }
        throw error(Reason.WRONG_TYPE, what + " must be a CBOR boolean");
    }

    /** Skips one complete data item of any type. */
    void skip(String what) throws MalformedBundleException {
        skip(what, 0);
    }

    private void skip(String what, int depth) throws MalformedBundleException {
        if (depth > MAX_DEPTH) {
            throw error(Reason.BAD_CBOR, "items nested deeper than " + MAX_DEPTH);
        }
        int major = peekMajor();
        switch (major) {
            case UINT, NEGINT -> head(major, what, false);
            case BYTES, TEXT -> {
                long n = head(major, what, true);
                if (n == -1) {
                    while (!atBreak()) {
                        int len = readStringHead(major, "a chunk of " + what);
                        pos += len;
                    }
                    pos++;
                } else {
                    if (n < 0 || n > end - pos) {
                        throw error(Reason.TRUNCATED, what + " is longer than the input");
                    }
                    pos += (int) n;
                }
            }
            case ARRAY, MAP -> {
                long n = head(major, what, true);
                if (n == -1) {
                    while (!atBreak()) {
                        skip(what, depth + 1);
                        if (major == MAP) {
                            skip(what, depth + 1);
                        }
                    }
                    pos++;
                } else {
                    if (n < 0 || n > end - pos) {
                        throw error(Reason.TRUNCATED, what + " declares more elements than bytes remain");
                    }
                    long items = major == MAP ? 2 * n : n;
                    for (long i = 0; i < items; i++) {
                        skip(what, depth + 1);
                    }
                }
            }
            case TAG -> {
                head(TAG, what, false);
                skip(what, depth + 1);
            }
            default -> {
                int ib = buf[pos] & 0xFF;
                int ai = ib & 0x1F;
                if (ib == 0xFF) {
                    throw error(Reason.BAD_CBOR, "unexpected break in " + what);
                }
                if (ai >= 28) {
                    throw error(Reason.BAD_CBOR, "reserved additional information " + ai);
                }
                int n = ai < 24 ? 0 : 1 << (ai - 24);
                if (end - pos - 1 < n) {
                    throw error(Reason.TRUNCATED, "input ends inside " + what);
                }
                pos += 1 + n;
            }
        }
    }
}
