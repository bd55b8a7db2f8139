package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CBOR endpoint IDs; byte strings marked RFC are quoted from RFC 9171 and RFC 9758. */
class EidCodecTest {

    static EndpointId decode(String hex) throws MalformedBundleException {
        return decode(hex, 1024);
    }

    static EndpointId decode(String hex, int maxEid) throws MalformedBundleException {
        byte[] b = Hex.bytes(hex);
        CborReader r = new CborReader(b, 0, b.length);
        EndpointId eid = Eids.read(r, "eid", maxEid);
        assertEquals(0, r.remaining(), "the whole EID is consumed");
        return eid;
    }

    static String encode(EndpointId eid) {
        CborWriter w = new CborWriter(8);
        Eids.write(w, eid);
        return Hex.of(w.toByteArray());
    }

    @ParameterizedTest
    @CsvSource({
        "dtn:none, 820100",
        "dtn://node/, 8201672f2f6e6f64652f",
        "dtn://n/app/sub, 82016b2f2f6e2f6170702f737562",
        "ipn:1.1, 8202820101", // RFC 9758 App. B, recommended form
        "ipn:0.1.1, 8202830 00101", // RFC 9758 App. B, three-element form
        "ipn:977000.1.1, 8202831a000ee8680101", // RFC 9758 App. B, recommended
        "ipn:977000.100.1, 8202831a000ee868186401", // RFC 9758 §6.4
        "ipn:!.0, 8202821affffffff00", // LocalNode (node 2^32-1)
        "ipn:100.4294967295, 82028218641affffffff"})
    void roundTripsByteForByte(String text, String hex) throws Exception {
        hex = hex.replace(" ", "");
        EndpointId eid = EndpointId.parse(text);
        assertEquals(hex, encode(eid));
        EndpointId back = decode(hex);
        assertEquals(eid, back);
        assertEquals(text, back.toString());
        if (back instanceof IpnEndpointId ipn) {
            assertEquals(((IpnEndpointId) eid).threeElement(), ipn.threeElement());
        }
    }

    @Test
    void dtnSspKeepsTheLeadingSlashes() throws Exception {
        DtnEndpointId eid = (DtnEndpointId) decode("8201672f2f6e6f64652f");
        assertEquals("node", eid.nodeName());
        assertEquals("", eid.demux());
        assertTrue(eid.isNodeId());
    }

    @Test
    void twoElementFqnnSplitsTheAllocatorFromTheHigh32Bits() throws Exception {
        // RFC 9758 §6.1.1: ipn:977000.100.1 in the 2-element form.
        IpnEndpointId eid = (IpnEndpointId) decode("8202821b000ee8680000006401");
        assertEquals(977000, eid.allocator());
        assertEquals(100, eid.node());
        assertEquals(1, eid.service());
        assertEquals(EndpointId.parse("ipn:977000.100.1"), eid);
    }

    @Test
    void threeElementFormIsFlagged() throws Exception {
        IpnEndpointId three = (IpnEndpointId) decode("820283000101");
        IpnEndpointId two = (IpnEndpointId) decode("8202820101");
        assertTrue(three.threeElement());
        assertFalse(two.threeElement());
        assertEquals(two, three); // RFC 9758 §6.4: same EID
    }

    @Test
    void nullIpnForms() throws Exception {
        // RFC 9758 App. B: both forms of the null EID.
        assertTrue(decode("8202820000").isNull());
        assertTrue(decode("820283000000").isNull());
        assertEquals("8202820000", encode(IpnEndpointId.NULL));
    }

    /**
     * RFC 9758 §3.4.1: allocator 0, node 0 and a non-zero service must be considered the Null ipn URI.
     * Decision: such an EID decodes to {@link IpnEndpointId#NULL} (not an error), so a bundle from
     * "ipn:0.5" is treated as anonymous and must then satisfy the anonymous-bundle flag rules.
     */
    @Test
    void zeroNodeWithServiceIsTheNullEndpoint() throws Exception {
        assertSame(IpnEndpointId.NULL, decode("8202820005"));
        assertSame(IpnEndpointId.NULL, decode("820283000005"));
        // Not with a non-zero allocator: that is an ordinary EID of node 0.
        IpnEndpointId a = (IpnEndpointId) decode("820283050005");
        assertFalse(a.isNull());
        assertEquals(5, a.allocator());
    }

    @ParameterizedTest
    @CsvSource({
        "8202831b00000001000000000101, BAD_EID", // allocator 2^32
        "820283011b000000010000000001, BAD_EID", // node 2^32
        "8202820a1b0000000100000000, BAD_EID", // service 2^32 (2-element)
        "82028401020304, WRONG_ARRAY_LENGTH",
        "820281 01, WRONG_ARRAY_LENGTH",
        "820105, BAD_EID", // dtn SSP number other than 0
        "82016461626364, BAD_EID", // "abcd": no //
        "8201646e6f6e65, BAD_EID", // "none" as text
        "8201652f2f6e2f20, BAD_EID", // space is not visible ASCII
        "8201642f2f2f78, BAD_EID", // empty node name
        "82034100, UNKNOWN_EID_SCHEME",
        "83010000, WRONG_ARRAY_LENGTH",
        "820141 00, WRONG_TYPE",
        "8202 8201 20, WRONG_TYPE"}) // negative service
    void rejectsMalformedEids(String hex, Reason reason) {
        MalformedBundleException e = assertThrows(MalformedBundleException.class, () -> decode(hex.replace(" ", "")));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void eidLengthLimitIsCheckedBeforeTheTextIsRead() {
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> decode("82016b2f2f6e2f6170702f737562", 8));
        assertEquals(Reason.EID_TOO_LONG, e.reason());
        // A declared length beyond the input is truncation, whatever the limit.
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedBundleException.class,
                () -> decode("82017a7fffffff2f2f", Integer.MAX_VALUE)).reason());
    }
}
