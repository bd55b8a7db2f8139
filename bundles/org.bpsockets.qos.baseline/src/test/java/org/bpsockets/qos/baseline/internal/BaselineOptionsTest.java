package org.bpsockets.qos.baseline.internal;

import static org.bpsockets.api.option.SocketOptionNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.CustodyMode;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.SockaddrBp;
import org.junit.jupiter.api.Test;

class BaselineOptionsTest {

    final BaselineOptions options = new BaselineOptions();

    static ByteBuffer i32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    BundleOptions apply(int name, ByteBuffer value) throws BpException {
        options.validate(name, value);
        BundleOptions.Builder b = BundleOptions.builder();
        options.apply(name, value, b);
        return b.build();
    }

    @Test
    void everyBaselineOptionChangesTheBundleOptions() throws Exception {
        assertEquals(Duration.ofSeconds(90), apply(BP_LIFETIME_MS, u64(90_000)).lifetime());
        assertEquals(ClassOfService.EXPEDITED, apply(BP_CLASS_OF_SERVICE, i32(2)).classOfService());
        assertEquals(ClassOfService.BULK, apply(BP_CLASS_OF_SERVICE, i32(0)).classOfService());
        assertEquals(200, apply(BP_ORDINAL, i32(200)).ordinal());
        assertEquals(EnumSet.of(StatusReportKind.RECEPTION, StatusReportKind.DELIVERY),
                apply(BP_STATUS_REPORTS, i32(BP_REPORT_RECEPTION | BP_REPORT_DELIVERY)).statusReports());
        assertEquals(EndpointId.parse("ipn:3.0"),
                apply(BP_REPORT_TO, SockaddrBp.encode(EndpointId.parse("ipn:3.0"), 28)).reportTo().orElseThrow());
        assertEquals(CustodyMode.REQUIRED, apply(BP_CUSTODY, i32(2)).custody());
        assertEquals(16, apply(BP_HOP_LIMIT, i32(16)).hopLimit().getAsInt());
        assertTrue(apply(BP_MUST_NOT_FRAGMENT, i32(1)).mustNotFragment());
        assertTrue(apply(BP_APP_ACK, i32(1)).applicationAck());
        assertEquals(options.names().size(), 9);
    }

    @Test
    void badValuesAreRefusedWithTheOptionAndTheProblemNamed() {
        assertInvalid("BP_LIFETIME_MS must be at least 1 ms, was 0", BP_LIFETIME_MS, u64(0));
        assertInvalid("BP_LIFETIME_MS takes a uint64_t (8 bytes), got 4 bytes", BP_LIFETIME_MS, i32(5));
        assertInvalid("BP_CLASS_OF_SERVICE must be 0 (bulk), 1 (normal) or 2 (expedited), was 3", BP_CLASS_OF_SERVICE, i32(3));
        assertInvalid("BP_ORDINAL must be 0..254, was 255", BP_ORDINAL, i32(255));
        assertInvalid("BP_STATUS_REPORTS has unknown bits 0x10", BP_STATUS_REPORTS, i32(0x11));
        assertInvalid("BP_REPORT_TO cannot be the null endpoint", BP_REPORT_TO,
                SockaddrBp.encode(EndpointId.parse("dtn:none"), 28));
        assertInvalid("BP_REPORT_TO is not a valid address", BP_REPORT_TO, ByteBuffer.allocate(3));
        assertInvalid("BP_CUSTODY must be 0 (none), 1 (optional) or 2 (required), was -1", BP_CUSTODY, i32(-1));
        assertInvalid("BP_HOP_LIMIT must be 0 (no hop count block) or 1..255, was 256", BP_HOP_LIMIT, i32(256));
        assertInvalid("BP_MUST_NOT_FRAGMENT must be 0 or 1, was 2", BP_MUST_NOT_FRAGMENT, i32(2));
        assertInvalid("BP_APP_ACK takes a 4-byte integer, got 1 bytes", BP_APP_ACK, ByteBuffer.allocate(1));
        BpException e = assertThrows(BpException.class, () -> options.validate(77, i32(0)));
        assertEquals(BpError.UNKNOWN_OPTION, e.error());
    }

    @Test
    void defaultsAreThoseOfBundleOptions() throws Exception {
        assertEquals(86_400_000L, options.defaultValue(BP_LIFETIME_MS).order(ByteOrder.nativeOrder()).getLong(0));
        assertEquals(1, options.defaultValue(BP_CLASS_OF_SERVICE).order(ByteOrder.nativeOrder()).getInt(0));
        for (int name : options.names()) {
            if (name != BP_REPORT_TO) {
                assertEquals(BundleOptions.DEFAULTS, apply(name, options.defaultValue(name)),
                        "default of " + name + " changes nothing");
            }
        }
        ByteBuffer reportTo = options.defaultValue(BP_REPORT_TO);
        assertEquals(0, reportTo.order(ByteOrder.nativeOrder()).getShort(0), "AF_UNSPEC: no report-to set");
        assertEquals(EndpointId.parse("dtn:none"), SockaddrBp.decode(reportTo));
    }

    private void assertInvalid(String expected, int name, ByteBuffer value) {
        BpException e = assertThrows(BpException.class, () -> options.validate(name, value));
        assertEquals(BpError.INVALID_ARGUMENT, e.error());
        assertTrue(e.getMessage().startsWith(expected), () -> "'" + e.getMessage() + "' should start with '" + expected + "'");
    }
}
