package org.bpsockets.bpv7;

/**
 * Bundle status report reason codes of RFC 9171 §6.1.1 (0-11). RFC 9172 §11.2 adds 12-16 for BPSec;
 * those, like any other code up to 255, are kept as numbers by {@link StatusReport#reasonCode()}.
 */
public enum StatusReportReason {
    NO_ADDITIONAL_INFORMATION(0),
    LIFETIME_EXPIRED(1),
    FORWARDED_OVER_UNIDIRECTIONAL_LINK(2),
    TRANSMISSION_CANCELED(3),
    DEPLETED_STORAGE(4),
    DESTINATION_ENDPOINT_ID_UNAVAILABLE(5),
    NO_KNOWN_ROUTE(6),
    NO_TIMELY_CONTACT(7),
    BLOCK_UNINTELLIGIBLE(8),
    HOP_LIMIT_EXCEEDED(9),
    TRAFFIC_PARED(10),
    BLOCK_UNSUPPORTED(11);

    /** RFC 9172 codes, as numbers. */
    public static final int MISSING_SECURITY_OPERATION = 12;
    public static final int UNKNOWN_SECURITY_OPERATION = 13;
    public static final int UNEXPECTED_SECURITY_OPERATION = 14;
    public static final int FAILED_SECURITY_OPERATION = 15;
    public static final int CONFLICTING_SECURITY_OPERATION = 16;

    private static final StatusReportReason[] BY_CODE = values();

    private final int code;

    StatusReportReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The RFC 9171 reason with this code, or null for any other code. */
    public static StatusReportReason ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
