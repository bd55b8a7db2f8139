package org.bpsockets.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** The endpoint's address is an IP address written out: never a name for DNS to decide. */
class MetricsAddressTest {

    @Test
    void literalsAreTaken() throws IOException {
        assertEquals("127.0.0.1", MetricsEndpoint.literal("127.0.0.1").getHostAddress());
        assertEquals("127.0.0.1", MetricsEndpoint.literal(" 127.0.0.1 ").getHostAddress());
        assertTrue(MetricsEndpoint.literal("::1").isLoopbackAddress());
        assertEquals("0.0.0.0", MetricsEndpoint.literal("0.0.0.0").getHostAddress());
    }

    @Test
    void namesAndMalformedAddressesAreRefusedWithoutALookup() {
        // cafe.babe is made of hex digits and dots: it passed the old check and went to DNS.
        for (String bad : new String[] {"cafe.babe", "localhost", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4x", ""}) {
            IOException e = assertThrows(IOException.class, () -> MetricsEndpoint.literal(bad), bad);
            assertTrue(e.getMessage().contains("is not an IP address"), e.getMessage());
        }
    }
}
