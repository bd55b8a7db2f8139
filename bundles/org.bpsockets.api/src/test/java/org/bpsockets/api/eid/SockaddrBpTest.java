package org.bpsockets.api.eid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class SockaddrBpTest {

    @Test
    void theEarlier16ByteIpnLayoutIsReadWithGarbageInThePadding() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 28).putShort(2, (short) 0x5a5a).putInt(4, 1).putInt(8, 10).putInt(12, 2);
        assertEquals(EndpointId.parse("ipn:10.2"), SockaddrBp.decode(b));
    }

    @Test
    void roundTripsEveryForm() {
        for (String text : new String[] {"ipn:1.2", "ipn:977000.1.3", "ipn:!.5", "dtn://node/app", "dtn:none"}) {
            EndpointId eid = EndpointId.parse(text);
            ByteBuffer b = SockaddrBp.encode(eid, 28);
            assertEquals(eid, SockaddrBp.decode(b), text);
            assertEquals(28, b.order(ByteOrder.nativeOrder()).getShort(0));
        }
        assertEquals(16, SockaddrBp.encode(EndpointId.parse("ipn:1.2"), 28).remaining());
        assertEquals(20, SockaddrBp.encode(EndpointId.parse("ipn:9.1.2"), 28).remaining());
        assertEquals(8 + 9 + 1, SockaddrBp.encode(EndpointId.parse("dtn://a/b"), 28).remaining());
    }

    @Test
    void aDtnAddressMayFillItsLengthWithoutANul() {
        byte[] text = "dtn://x/y".getBytes();
        ByteBuffer b = ByteBuffer.allocate(8 + text.length).order(ByteOrder.nativeOrder());
        b.putInt(4, 2).position(8);
        b.put(text).position(0);
        assertEquals(EndpointId.parse("dtn://x/y"), SockaddrBp.decode(b));
    }

    @Test
    void malformedAddressesAreRejectedWithAReason() {
        assertTrue(assertThrows(EndpointIdSyntaxException.class, () -> SockaddrBp.decode(ByteBuffer.allocate(4)))
                .getMessage().contains("shorter than 8 bytes"));
        ByteBuffer shortIpn = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(4, 1);
        assertTrue(assertThrows(EndpointIdSyntaxException.class, () -> SockaddrBp.decode(shortIpn.position(0)))
                .getMessage().contains("at least 16 bytes"));
        ByteBuffer badScheme = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(4, 3);
        assertTrue(assertThrows(EndpointIdSyntaxException.class, () -> SockaddrBp.decode(badScheme.position(0)))
                .getMessage().contains("unknown scheme"));
        ByteBuffer ipnInDtn = SockaddrBp.encode(EndpointId.parse("dtn://a/b"), 28);
        ipnInDtn.position(8);
        ipnInDtn.put("ipn:1.1\0".getBytes()).position(0);
        assertThrows(EndpointIdSyntaxException.class, () -> SockaddrBp.decode(ipnInDtn));
    }
}
