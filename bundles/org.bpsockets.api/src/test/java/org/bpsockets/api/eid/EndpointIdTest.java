package org.bpsockets.api.eid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointIdTest {

    @Test
    void parsesTwoPartIpn() {
        IpnEndpointId eid = (IpnEndpointId) EndpointId.parse("ipn:977.1");
        assertEquals(0, eid.allocator());
        assertEquals(977, eid.node());
        assertEquals(1, eid.service());
        assertFalse(eid.threeElement());
        assertEquals("ipn:977.1", eid.toString());
        assertEquals(Scheme.IPN, eid.scheme());
    }

    @Test
    void parsesThreePartIpnAndKeepsItsForm() {
        IpnEndpointId eid = (IpnEndpointId) EndpointId.parse("ipn:268484800.1.2");
        assertEquals(268484800L, eid.allocator());
        assertEquals(1, eid.node());
        assertEquals(2, eid.service());
        assertTrue(eid.threeElement());
        assertEquals("ipn:268484800.1.2", eid.toString());
        assertEquals((268484800L << 32) | 1, eid.fullyQualifiedNodeNumber());
    }

    @Test
    void threePartWithAllocatorZeroEqualsTwoPartButPrintsAsWritten() {
        EndpointId three = EndpointId.parse("ipn:0.5.6");
        EndpointId two = EndpointId.parse("ipn:5.6");
        assertEquals(two, three);
        assertEquals(two.hashCode(), three.hashCode());
        assertEquals("ipn:0.5.6", three.toString());
        assertEquals("ipn:5.6", two.toString());
    }

    @Test
    void localNodeForm() {
        IpnEndpointId eid = (IpnEndpointId) EndpointId.parse("ipn:!.7");
        assertTrue(eid.isLocalNode());
        assertEquals(IpnEndpointId.LOCAL_NODE, eid.node());
        assertEquals("ipn:!.7", eid.toString());
        assertEquals(eid, IpnEndpointId.localNode(7));
    }

    @Test
    void nullEndpoints() {
        assertTrue(EndpointId.parse("ipn:0.0").isNull());
        assertSame(DtnEndpointId.NONE, EndpointId.parse("dtn:none"));
        assertTrue(DtnEndpointId.NONE.isNull());
        assertEquals("dtn:none", DtnEndpointId.NONE.toString());
        assertFalse(EndpointId.parse("ipn:1.0").isNull());
    }

    @Test
    void largestComponentsAreAccepted() {
        IpnEndpointId eid = (IpnEndpointId) EndpointId.parse("ipn:4294967295.4294967294.4294967295");
        assertEquals(4294967295L, eid.allocator());
        assertEquals(4294967294L, eid.node());
        assertEquals(4294967295L, eid.service());
    }

    @Test
    void nodeIds() {
        assertEquals(EndpointId.parse("ipn:9.0"), EndpointId.parse("ipn:9.64").nodeId());
        assertTrue(EndpointId.parse("ipn:9.0").isNodeId());
        assertFalse(EndpointId.parse("ipn:9.1").isNodeId());
        assertEquals(EndpointId.parse("dtn://earth/"), EndpointId.parse("dtn://earth/app/x").nodeId());
        assertTrue(EndpointId.parse("dtn://earth/").isNodeId());
        assertFalse(EndpointId.parse("dtn:none").isNodeId());
    }

    @Test
    void parsesDtn() {
        assertEquals("a%20b", ((DtnEndpointId) EndpointId.parse("dtn://a%20b/")).nodeName());
        DtnEndpointId eid = (DtnEndpointId) EndpointId.parse("dtn://node-1.example/app/~in?x=1");
        assertEquals("node-1.example", eid.nodeName());
        assertEquals("app/~in?x=1", eid.demux());
        assertTrue(eid.isSingleton());
        assertEquals("dtn://node-1.example/app/~in?x=1", eid.toString());
        assertFalse(((DtnEndpointId) EndpointId.parse("dtn://n/~group")).isSingleton());
        assertEquals(Scheme.DTN, eid.scheme());
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertEquals(EndpointId.parse("ipn:1.2"), EndpointId.parse("IPN:1.2"));
        assertEquals(EndpointId.parse("dtn://a/b"), EndpointId.parse("DTN://a/b"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                 | no scheme",
        "1.2                | no scheme",
        "udp:1.2            | unknown scheme 'udp'",
        "ipn:               | empty scheme-specific part",
        "ipn:1              | expected 2 or 3 dot-separated numbers",
        "ipn:1.2.3.4        | found 4 parts",
        "ipn:1.             | service number is empty",
        "ipn:.1             | node number is empty",
        "ipn:01.2           | node number '01' has a leading zero",
        "ipn:1.02           | service number '02' has a leading zero",
        "ipn:a.2            | node number 'a' is not a decimal number",
        "ipn:1.-2           | service number '-2' is not a decimal number",
        "ipn:1.+2           | service number '+2' is not a decimal number",
        "ipn:1. 2           | service number ' 2' is not a decimal number",
        "ipn:4294967296.1   | node number 4294967296 is larger than 4294967295",
        "ipn:1.99999999999  | service number '99999999999' is larger than 4294967295",
        "ipn:4294967296.1.1 | allocator 4294967296 is larger than 4294967295",
        "ipn:0.!.1          | '!' (the local node) takes no allocator",
        "ipn:!.x            | service number 'x' is not a decimal number",
        "dtn:               | expected dtn://node-name/demux or dtn:none",
        "dtn:nonE           | expected dtn://node-name/demux or dtn:none",
        "dtn:/a/b           | expected dtn://node-name/demux or dtn:none",
        "dtn://a            | no '/' after the node name",
        "dtn:///b           | node name is empty",
        "dtn://a b/c        | node name has a character that is not visible ASCII (U+0020 at position 1)",
        "dtn://a:1/c        | node name may not contain ':' (position 1)",
        "dtn://a@b/c        | node name may not contain '@' (position 1)",
        "dtn://a?b/c        | node name may not contain '?' (position 1)",
        "dtn://a%2/c        | node name has a '%' at position 1 that is not followed by two hex digits",
        "dtn://a%zz/c       | node name has a '%' at position 1 that is not followed by two hex digits",
        "ipn:0.5            | node number 0 with service 5 is invalid",
        "ipn:0.0.5          | node number 0 with service 5 is invalid",
        "dtn://a/b c        | demux has a character that is not visible ASCII (U+0020 at position 1)",
        "dtn://a/é          | demux has a character that is not visible ASCII (U+00E9 at position 0)",
    })
    void rejectsMalformedTextWithAMessageThatNamesTheProblem(String text, String expected) {
        EndpointIdSyntaxException e = assertThrows(EndpointIdSyntaxException.class, () -> EndpointId.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should say '"
                + expected + "'");
        assertTrue(e.getMessage().contains("'" + text + "'"), "the message names the input");
        assertEquals(text, e.input());
    }

    @Test
    void rejectsControlCharacterInDtn() {
        assertThrows(EndpointIdSyntaxException.class, () -> EndpointId.parse("dtn://a/b\u0000"));
        assertThrows(EndpointIdSyntaxException.class, () -> DtnEndpointId.of("a/b", "c"));
        assertThrows(EndpointIdSyntaxException.class, () -> DtnEndpointId.of("", "c"));
    }

    @Test
    void allZeroThreeElementIsTheNullEndpoint() {
        assertTrue(EndpointId.parse("ipn:0.0.0").isNull());
        assertEquals(IpnEndpointId.NULL, EndpointId.parse("ipn:0.0.0"));
        assertThrows(EndpointIdSyntaxException.class, () -> IpnEndpointId.of(0, 3));
    }

    @Test
    void rejectsOutOfRangeComponentsInFactories() {
        EndpointIdSyntaxException e = assertThrows(EndpointIdSyntaxException.class, () -> IpnEndpointId.of(1, -1));
        assertTrue(e.getMessage().contains("service number 18446744073709551615 is outside 0..4294967295"),
                e.getMessage());
        assertThrows(EndpointIdSyntaxException.class, () -> IpnEndpointId.of(1L << 32, 1));
        assertThrows(EndpointIdSyntaxException.class, () -> IpnEndpointId.of(1, 1).withService(1L << 32));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipn:1.2", "ipn:0.1.2", "ipn:7.8.9", "ipn:!.5", "ipn:0.0", "dtn:none", "dtn://x/",
        "dtn://x/y/z", "dtn://n/~g"})
    void canonicalFormRoundTrips(String text) {
        EndpointId eid = EndpointId.parse(text);
        assertEquals(text, eid.toString());
        assertEquals(eid, EndpointId.parse(eid.toString()));
    }

    @Test
    void differentEndpointsAreNotEqual() {
        assertNotEquals(EndpointId.parse("ipn:1.2"), EndpointId.parse("ipn:1.3"));
        assertNotEquals(EndpointId.parse("ipn:1.2"), EndpointId.parse("ipn:1.1.2"));
        assertNotEquals(EndpointId.parse("dtn://a/b"), EndpointId.parse("dtn://a/c"));
        assertNotEquals(EndpointId.parse("dtn://a/b"), EndpointId.parse("dtn://A/b"));
        assertNotEquals(EndpointId.parse("dtn:none"), EndpointId.parse("ipn:0.0"));
    }
}
