package org.bpsockets.bpv7;

import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * CBOR form of endpoint IDs (RFC 9171 §4.2.5.1, RFC 9758 §6): {@code [1, 0]} for dtn:none,
 * {@code [1, "//node/demux"]}, {@code [2, [fqnn, service]]} or {@code [2, [allocator, node, service]]}.
 */
final class Eids {
    static final int DTN = 1;
    static final int IPN = 2;

    private Eids() {
    }

    static EndpointId read(CborReader r, String what, int maxEidLength) throws MalformedBundleException {
        int at = r.pos;
        r.readArray(what, 2);
        long scheme = r.readUint("the URI scheme code of " + what);
        if (scheme == DTN) {
            if (r.peekMajor() == CborReader.UINT) {
                int ssAt = r.pos;
                long v = r.readUint("the dtn SSP of " + what);
                if (v != 0) {
                    throw r.errorAt(ssAt, Reason.BAD_EID, what + ": a numeric dtn SSP must be 0 (dtn:none), found "
                            + Long.toUnsignedString(v));
                }
                return DtnEndpointId.NONE;
            }
            int ssAt = r.pos;
            int n = r.readStringHead(CborReader.TEXT, "the dtn SSP of " + what);
            if (n > maxEidLength) {
                throw r.errorAt(ssAt, Reason.EID_TOO_LONG, what + " has a " + n + "-byte SSP, limit " + maxEidLength);
            }
            int start = r.pos;
            r.pos += n;
            if (n < 2 || r.buf[start] != '/' || r.buf[start + 1] != '/') {
                throw r.errorAt(ssAt, Reason.BAD_EID, what + ": a dtn SSP must start with \"//\"");
            }
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) {
                int c = r.buf[start + i] & 0xFF;
                if (c < 0x21 || c > 0x7E) {
                    throw r.errorAt(start + i, Reason.BAD_EID, what + ": the dtn SSP has a byte that is not visible ASCII");
                }
                chars[i] = (char) c;
            }
            try {
                return EndpointId.parse("dtn:" + new String(chars));
            } catch (EndpointIdSyntaxException e) {
                throw r.errorAt(ssAt, Reason.BAD_EID, what + ": " + e.problem());
            }
        }
        if (scheme == IPN) {
            int ssAt = r.pos;
            long n = r.readArray("the ipn SSP of " + what);
            if (n == 2) {
                long fqnn = r.readUint("the FQNN of " + what);
                long service = component(r, "the service number of " + what);
                return ipn(r, ssAt, what, fqnn >>> 32, fqnn & IpnEndpointId.MAX_COMPONENT, service, false);
            }
            if (n == 3) {
                long allocator = component(r, "the allocator of " + what);
                long node = component(r, "the node number of " + what);
                long service = component(r, "the service number of " + what);
                return ipn(r, ssAt, what, allocator, node, service, true);
            }
            throw r.errorAt(ssAt, Reason.WRONG_ARRAY_LENGTH, what + ": the ipn SSP must have 2 or 3 elements, has "
                    + (n < 0 ? "an indefinite length" : Long.toString(n)));
        }
        throw r.errorAt(at, Reason.UNKNOWN_EID_SCHEME, what + " has URI scheme code " + Long.toUnsignedString(scheme));
    }

    /** An ipn component: RFC 9758 limits allocator, node and (in this API) service numbers to 32 bits. */
    private static long component(CborReader r, String what) throws MalformedBundleException {
        int at = r.pos;
        long v = r.readUint(what);
        if (v < 0 || v > IpnEndpointId.MAX_COMPONENT) {
            throw r.errorAt(at, Reason.BAD_EID, what + " " + Long.toUnsignedString(v) + " exceeds 2^32-1");
        }
        return v;
    }

    private static EndpointId ipn(CborReader r, int at, String what, long allocator, long node, long service,
            boolean threeElement) throws MalformedBundleException {
        if (allocator == 0 && node == 0) {
            // RFC 9758 §3.4.1: allocator 0 and node 0 with a non-zero service "MUST" be considered the Null ipn URI.
            return IpnEndpointId.NULL;
        }
        try {
            return IpnEndpointId.of(allocator, node, service, threeElement);
        } catch (EndpointIdSyntaxException e) {
            throw r.errorAt(at, Reason.BAD_EID, what + ": " + e.problem());
        }
    }

    static void write(CborWriter w, EndpointId eid) {
        w.array(2);
        if (eid instanceof IpnEndpointId ipn) {
            w.uint(IPN);
            if (ipn.threeElement()) {
                w.array(3).uint(ipn.allocator()).uint(ipn.node()).uint(ipn.service());
            } else {
                w.array(2).uint(ipn.fullyQualifiedNodeNumber()).uint(ipn.service());
            }
        } else {
            DtnEndpointId dtn = (DtnEndpointId) eid;
            w.uint(DTN);
            if (dtn.isNull()) {
                w.uint(0);
            } else {
                w.ascii("//" + dtn.nodeName() + "/" + dtn.demux());
            }
        }
    }
}
