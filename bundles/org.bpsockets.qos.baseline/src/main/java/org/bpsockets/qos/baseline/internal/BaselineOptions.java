package org.bpsockets.qos.baseline.internal;

import static org.bpsockets.api.option.SocketOptionNames.BP_APP_ACK;
import static org.bpsockets.api.option.SocketOptionNames.BP_CLASS_OF_SERVICE;
import static org.bpsockets.api.option.SocketOptionNames.BP_CUSTODY;
import static org.bpsockets.api.option.SocketOptionNames.BP_HOP_LIMIT;
import static org.bpsockets.api.option.SocketOptionNames.BP_LIFETIME_MS;
import static org.bpsockets.api.option.SocketOptionNames.BP_MUST_NOT_FRAGMENT;
import static org.bpsockets.api.option.SocketOptionNames.BP_ORDINAL;
import static org.bpsockets.api.option.SocketOptionNames.BP_REPORT_DELETION;
import static org.bpsockets.api.option.SocketOptionNames.BP_REPORT_DELIVERY;
import static org.bpsockets.api.option.SocketOptionNames.BP_REPORT_FORWARDING;
import static org.bpsockets.api.option.SocketOptionNames.BP_REPORT_RECEPTION;
import static org.bpsockets.api.option.SocketOptionNames.BP_REPORT_TO;
import static org.bpsockets.api.option.SocketOptionNames.BP_STATUS_REPORTS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.CustodyMode;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.api.eid.SockaddrBp;
import org.bpsockets.api.option.SocketOptionHandler;
import org.bpsockets.api.option.SocketOptionNames;
import org.osgi.service.component.annotations.Component;

/** The SOL_BP options of bp(7): their value formats, ranges, defaults and meaning. */
@Component
public final class BaselineOptions implements SocketOptionHandler {

    private static final Map<Integer, String> NAMES = Map.of(BP_LIFETIME_MS, "BP_LIFETIME_MS",
            BP_CLASS_OF_SERVICE, "BP_CLASS_OF_SERVICE", BP_ORDINAL, "BP_ORDINAL", BP_STATUS_REPORTS,
            "BP_STATUS_REPORTS", BP_REPORT_TO, "BP_REPORT_TO", BP_CUSTODY, "BP_CUSTODY", BP_HOP_LIMIT, "BP_HOP_LIMIT",
            BP_MUST_NOT_FRAGMENT, "BP_MUST_NOT_FRAGMENT", BP_APP_ACK, "BP_APP_ACK");
    private static final int ALL_REPORTS = BP_REPORT_RECEPTION | BP_REPORT_FORWARDING | BP_REPORT_DELIVERY
            | BP_REPORT_DELETION;

    @Override
    public Set<Integer> names() {
        return NAMES.keySet();
    }

    @Override
    public void validate(int name, ByteBuffer value) throws BpException {
        switch (name) {
            case BP_LIFETIME_MS:
                long ms = u64(name, value);
                if (ms < 1) {
                    throw invalid(name, "must be at least 1 ms, was " + Long.toUnsignedString(ms));
                }
                return;
            case BP_CLASS_OF_SERVICE:
                range(name, value, 0, 2, "0 (bulk), 1 (normal) or 2 (expedited)");
                return;
            case BP_ORDINAL:
                range(name, value, 0, BundleOptions.MAX_ORDINAL, "0..254");
                return;
            case BP_STATUS_REPORTS:
                int flags = u32(name, value);
                if ((flags & ~ALL_REPORTS) != 0) {
                    throw invalid(name, String.format("has unknown bits 0x%x (known: 0x%x)", flags & ~ALL_REPORTS,
                            ALL_REPORTS));
                }
                return;
            case BP_REPORT_TO:
                try {
                    EndpointId eid = SockaddrBp.decode(value);
                    if (eid.isNull()) {
                        throw invalid(name, "cannot be the null endpoint " + eid);
                    }
                } catch (EndpointIdSyntaxException e) {
                    throw invalid(name, "is not a valid address: " + e.getMessage());
                }
                return;
            case BP_CUSTODY:
                range(name, value, 0, 2, "0 (none), 1 (optional) or 2 (required)");
                return;
            case BP_HOP_LIMIT:
                range(name, value, 0, BundleOptions.MAX_HOP_LIMIT, "0 (no hop count block) or 1..255");
                return;
            case BP_MUST_NOT_FRAGMENT:
            case BP_APP_ACK:
                range(name, value, 0, 1, "0 or 1");
                return;
            default:
                throw new BpException(BpError.UNKNOWN_OPTION, "SOL_BP option " + name + " is not a baseline option");
        }
    }

    @Override
    public void apply(int name, ByteBuffer value, BundleOptions.Builder options) {
        switch (name) {
            case BP_LIFETIME_MS:
                options.lifetime(Duration.ofMillis(le(value).getLong(value.position())));
                break;
            case BP_CLASS_OF_SERVICE:
                options.classOfService(ClassOfService.values()[i32(value)]);
                break;
            case BP_ORDINAL:
                options.ordinal(i32(value));
                break;
            case BP_STATUS_REPORTS:
                options.statusReports(SocketOptionNames.reportKinds(i32(value)));
                break;
            case BP_REPORT_TO:
                options.reportTo(SockaddrBp.decode(value));
                break;
            case BP_CUSTODY:
                options.custody(CustodyMode.values()[i32(value)]);
                break;
            case BP_HOP_LIMIT:
                options.hopLimit(i32(value));
                break;
            case BP_MUST_NOT_FRAGMENT:
                options.mustNotFragment(i32(value) != 0);
                break;
            case BP_APP_ACK:
                options.applicationAck(i32(value) != 0);
                break;
            default:
                throw new IllegalArgumentException("SOL_BP option " + name + " is not a baseline option");
        }
    }

    @Override
    public ByteBuffer defaultValue(int name) {
        BundleOptions d = BundleOptions.DEFAULTS;
        switch (name) {
            case BP_LIFETIME_MS:
                return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, d.lifetime().toMillis());
            case BP_CLASS_OF_SERVICE:
                return int32(d.classOfService().ordinal());
            case BP_CUSTODY:
                return int32(d.custody().ordinal());
            case BP_REPORT_TO:
                // Unset: reports go to the bundle's source. Shown as AF_UNSPEC with dtn:none, a value
                // setsockopt refuses, so "no report-to" is never mistaken for an address.
                return SockaddrBp.encode(DtnEndpointId.NONE, 0);
            default:
                return int32(0);
        }
    }

    private static ByteBuffer le(ByteBuffer value) {
        return value.duplicate().order(ByteOrder.nativeOrder());
    }

    private static int i32(ByteBuffer value) {
        return le(value).getInt(value.position());
    }

    private static ByteBuffer int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    private static long u64(int name, ByteBuffer value) throws BpException {
        if (value.remaining() != 8) {
            throw invalid(name, "takes a uint64_t (8 bytes), got " + value.remaining() + " bytes");
        }
        return le(value).getLong(value.position());
    }

    private static int u32(int name, ByteBuffer value) throws BpException {
        if (value.remaining() != 4) {
            throw invalid(name, "takes a 4-byte integer, got " + value.remaining() + " bytes");
        }
        return i32(value);
    }

    private static void range(int name, ByteBuffer value, int min, int max, String allowed) throws BpException {
        int v = u32(name, value);
        if (v < min || v > max) {
            throw invalid(name, "must be " + allowed + ", was " + v);
        }
    }

    private static BpException invalid(int name, String problem) {
        return new BpException(BpError.INVALID_ARGUMENT, NAMES.get(name) + " " + problem);
    }
}
