package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.bpsockets.bpv7.StatusReport.StatusAssertion;
import org.junit.jupiter.api.Test;

/** Administrative records and bundle status reports (RFC 9171 §6.1). */
class StatusReportTest {
    static final EndpointId SRC = EndpointId.parse("ipn:1.1");

    static StatusReport decode(String hex) throws MalformedBundleException {
        return AdministrativeRecord.decode(ByteBuffer.wrap(Hex.bytes(hex))).statusReport();
    }

    static Reason failure(String hex) {
        return assertThrows(MalformedBundleException.class, () -> decode(hex)).reason();
    }

    // [1, [[[false], [false], [true, 800000000123], [false]], 0, [2, [1, 1]], [800000000000, 0]]]
    static final String DELIVERED = "8201 84 84 81f4 81f4 82f51b000000ba43b7407b 81f4 00 8202820101"
            + " 821b000000ba43b7400000";

    @Test
    void deliveryReportWithTimeMatchesTheRfcLayout() throws Exception {
        StatusReport r = new StatusReport(StatusAssertion.NO, StatusAssertion.NO,
                StatusAssertion.at(800_000_000_123L), StatusAssertion.NO, 0, SRC, 800_000_000_000L, 0, -1, -1);
        assertEquals(DELIVERED.replace(" ", ""), Hex.of(r.encodeRecord()));
        StatusReport back = decode(DELIVERED.replace(" ", ""));
        assertEquals(r, back);
        assertEquals(StatusReportReason.NO_ADDITIONAL_INFORMATION, back.reason());
        assertTrue(back.assertion(StatusReportKind.DELIVERY).asserted());
        assertEquals(800_000_000_123L, back.delivered().time());
        assertFalse(back.isAboutFragment());
        assertEquals(BundleId.of(SRC, 800_000_000_000L, 0), back.subject());
    }

    @Test
    void fragmentReportHasSixElements() throws Exception {
        StatusReport r = new StatusReport(StatusAssertion.YES, StatusAssertion.NO, StatusAssertion.NO,
                StatusAssertion.NO, 9, SRC, 5, 6, 1000, 24);
        byte[] enc = r.encodeRecord();
        assertEquals("820186", Hex.of(enc).substring(0, 6));
        assertTrue(Hex.of(enc).endsWith("8205061903e81818"));
        StatusReport back = decode(Hex.of(enc));
        assertEquals(r, back);
        assertEquals(StatusReportReason.HOP_LIMIT_EXCEEDED, back.reason());
        assertEquals(new BundleId(SRC, 5, 6, 1000), back.subject());
    }

    @Test
    void aboutUsesTheSubjectsFlagsAndFragmentFields() throws Exception {
        Bundle timed = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(SRC)
                .flags(BundleFlags.STATUS_TIME_REQUESTED | BundleFlags.REPORT_RECEPTION).creationTimestamp(50, 2)
                .lifetime(100).fragment(30, 90).payload(new byte[15]).build();
        StatusReport r = StatusReport.about(timed, StatusReportKind.RECEPTION, 0, 777);
        assertEquals(StatusAssertion.at(777), r.received());
        assertEquals(StatusAssertion.NO, r.forwarded());
        assertEquals(30, r.fragmentOffset());
        assertEquals(15, r.fragmentLength());

        Bundle untimed = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(SRC)
                .creationTimestamp(50, 2).lifetime(100).payload(new byte[15]).build();
        StatusReport u = StatusReport.about(untimed, StatusReportKind.DELETION,
                StatusReportReason.LIFETIME_EXPIRED.code(), 777);
        assertEquals(StatusAssertion.YES, u.deleted());
        assertFalse(u.deleted().hasTime());
        assertEquals(-1, u.fragmentOffset());
        assertEquals(u, decode(Hex.of(u.encodeRecord())));
    }

    @Test
    void reportTravelsInAnAdministrativeBundle() throws Exception {
        StatusReport r = new StatusReport(StatusAssertion.NO, StatusAssertion.at(3), StatusAssertion.NO,
                StatusAssertion.NO, StatusReportReason.NO_KNOWN_ROUTE.code(), SRC, 1, 2, -1, -1);
        Bundle admin = Bundle.builder().flags(BundleFlags.ADMIN_RECORD).destination(EndpointId.parse("ipn:1.0"))
                .source(EndpointId.parse("ipn:5.0")).creationTimestamp(10, 0).lifetime(1000)
                .payload(r.encodeRecord()).build();
        Bundle rx = BundleCodec.decode(admin.encode());
        AdministrativeRecord rec = AdministrativeRecord.of(rx);
        assertEquals(AdministrativeRecord.STATUS_REPORT, rec.type());
        assertEquals(r, rec.statusReport());
        assertThrows(IllegalArgumentException.class, () -> AdministrativeRecord.of(
                Bundle.builder().destination(SRC).source(SRC).creationTimestamp(1, 0).lifetime(1)
                        .payload(r.encodeRecord()).build()));
    }

    @Test
    void securityReasonCodesAreKeptAsNumbers() throws Exception {
        for (int code = 12; code <= 16; code++) {
            StatusReport r = new StatusReport(StatusAssertion.NO, StatusAssertion.NO, StatusAssertion.NO,
                    StatusAssertion.YES, code, SRC, 1, 2, -1, -1);
            StatusReport back = decode(Hex.of(r.encodeRecord()));
            assertEquals(code, back.reasonCode());
            assertNull(back.reason());
        }
        assertEquals(StatusReportReason.BLOCK_UNSUPPORTED, StatusReportReason.ofCode(11));
        assertEquals(12, StatusReportReason.values().length);
        assertEquals(Reason.VALUE_OUT_OF_RANGE, failure("8201 84 8481f481f481f481f5 190100 8202820101 820102"));
    }

    @Test
    void otherRecordTypesKeepTheirContent() throws Exception {
        AdministrativeRecord r = AdministrativeRecord.decode(ByteBuffer.wrap(Hex.bytes("8204 83010203")));
        assertEquals(4, r.type());
        assertFalse(r.isStatusReport());
        assertEquals("83010203", Hex.of(r.content()));
        assertThrows(IllegalStateException.class, r::statusReport);
    }

    @Test
    void extraStatusItemsAreSkipped() throws Exception {
        StatusReport r = decode("8201 84 85 81f4 81f4 81f5 81f4 81f5 00 8202820101 820102");
        assertTrue(r.delivered().asserted());
        assertFalse(r.deleted().asserted());
    }

    @Test
    void malformedReports() {
        assertEquals(Reason.WRONG_ARRAY_LENGTH, failure("8201 85 8481f481f481f481f5 00 8202820101 820102 00"));
        assertEquals(Reason.WRONG_ARRAY_LENGTH, failure("8201 84 8381f481f481f4 00 8202820101 820102"));
        assertEquals(Reason.WRONG_ARRAY_LENGTH, failure("8201 84 8481f481f481f483f50000 00 8202820101 820102"));
        assertEquals(Reason.WRONG_TYPE, failure("8201 84 8481f481f481f48101 00 8202820101 820102"));
        assertEquals(Reason.BAD_EID, failure("8201 84 8481f481f481f481f5 00 820161 61 820102"));
        assertEquals(Reason.TRUNCATED, failure("8201 84 8481f481f481f481f5 00 8202820101"));
        assertEquals(Reason.TRAILING_BYTES, assertThrows(MalformedBundleException.class,
                () -> AdministrativeRecord.decode(ByteBuffer.wrap(Hex.bytes("820400 00")))).reason());
        assertEquals(Reason.WRONG_ARRAY_LENGTH, assertThrows(MalformedBundleException.class,
                () -> AdministrativeRecord.decode(ByteBuffer.wrap(Hex.bytes("830100 00")))).reason());
    }
}
