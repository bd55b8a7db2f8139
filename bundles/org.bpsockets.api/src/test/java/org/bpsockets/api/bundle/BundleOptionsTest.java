package org.bpsockets.api.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;
import org.junit.jupiter.api.Test;

class BundleOptionsTest {

    @Test
    void documentedDefaults() {
        BundleOptions d = BundleOptions.DEFAULTS;
        assertEquals(Duration.ofSeconds(86400), d.lifetime());
        assertEquals(ClassOfService.NORMAL, d.classOfService());
        assertEquals(0, d.ordinal());
        assertTrue(d.statusReports().isEmpty());
        assertTrue(d.reportTo().isEmpty());
        assertEquals(CustodyMode.NONE, d.custody());
        assertTrue(d.hopLimit().isEmpty());
        assertEquals(false, d.mustNotFragment());
        assertEquals(false, d.applicationAck());
        assertTrue(d.nonDefault().isEmpty());
    }

    @Test
    void nonDefaultNamesEveryChangedOption() {
        BundleOptions o = BundleOptions.builder()
                .lifetime(Duration.ofMinutes(5))
                .classOfService(ClassOfService.EXPEDITED)
                .ordinal(7)
                .statusReports(EnumSet.of(StatusReportKind.DELIVERY))
                .reportTo(EndpointId.parse("ipn:1.0"))
                .custody(CustodyMode.OPTIONAL)
                .hopLimit(16)
                .mustNotFragment(true)
                .applicationAck(true)
                .build();
        assertEquals(EnumSet.allOf(BundleOption.class), o.nonDefault());
        assertEquals(o, o.toBuilder().build());
        assertEquals(16, o.hopLimit().getAsInt());
    }

    @Test
    void rejectsBadValuesWithAClearMessage() {
        BundleOptions.Builder b = BundleOptions.builder();
        assertMessage("lifetime must be positive, was PT0S", () -> b.lifetime(Duration.ZERO));
        assertMessage("lifetime must be positive, was PT-1S", () -> b.lifetime(Duration.ofSeconds(-1)));
        assertMessage("lifetime must be at least 1 ms, was PT0.0000001S", () -> b.lifetime(Duration.ofNanos(100)));
        assertMessage("does not fit in 64-bit milliseconds", () -> b.lifetime(Duration.ofSeconds(Long.MAX_VALUE)));
        assertMessage("ordinal must be 0..254, was 255", () -> b.ordinal(255));
        assertMessage("ordinal must be 0..254, was -1", () -> b.ordinal(-1));
        assertMessage("hop limit must be 1..255 (0: none), was 256", () -> b.hopLimit(256));
        assertMessage("report-to cannot be the null endpoint dtn:none", () -> b.reportTo(EndpointId.parse("dtn:none")));
        assertThrows(NullPointerException.class, () -> b.classOfService(null));
    }

    @Test
    void statusReportFlagsAreThoseOfRfc9171() {
        assertEquals(0x4000, StatusReportKind.RECEPTION.processingFlag());
        assertEquals(0x10000, StatusReportKind.FORWARDING.processingFlag());
        assertEquals(0x20000, StatusReportKind.DELIVERY.processingFlag());
        assertEquals(0x40000, StatusReportKind.DELETION.processingFlag());
    }

    @Test
    void sendRequestRefusesNullDestinationAndCopiesNothingItShouldNot() {
        EndpointId src = EndpointId.parse("ipn:1.1");
        assertMessage("destination cannot be the null endpoint ipn:0.0",
                () -> SendRequest.of(EndpointId.parse("ipn:0.0"), src, new byte[0]));
        byte[] payload = {1, 2, 3};
        SendRequest r = SendRequest.of(EndpointId.parse("ipn:2.1"), src, payload);
        assertSame(payload, r.payload().array(), "the payload is handed over, not copied");
        ByteBuffer middle = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        SendRequest m = new SendRequest(EndpointId.parse("ipn:2.1"), src, middle, BundleOptions.DEFAULTS);
        assertEquals(0, m.payload().position(), "position 0");
        assertEquals(3, m.payload().remaining());
        assertEquals(1, middle.position(), "the caller's buffer is not moved");
        assertEquals(3, r.payloadBytes().length);
        assertEquals(Set.of(), r.options().nonDefault());
        ByteBuffer before = r.payload();
        r.payloadBytes();
        assertEquals(0, before.position(), "reading the bytes does not move the buffer");
    }

    private static void assertMessage(String expected, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
