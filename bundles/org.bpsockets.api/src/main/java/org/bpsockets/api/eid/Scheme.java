package org.bpsockets.api.eid;

/** URI schemes of endpoint IDs, with their BPv7 scheme codes (RFC 9171 §9.6). */
public enum Scheme {
    DTN(1),
    IPN(2);

    private final int code;

    Scheme(int code) {
        this.code = code;
    }

    /** The scheme code used in the CBOR encoding of an EID. */
    public int code() {
        return code;
    }
}
