package org.bpsockets.api.bundle;

/**
 * The options of {@link BundleOptions}, by name: a backend declares which it honours, and a send that
 * asks for one it does not honour is refused rather than silently degraded.
 */
public enum BundleOption {
    LIFETIME,
    CLASS_OF_SERVICE,
    ORDINAL,
    STATUS_REPORTS,
    REPORT_TO,
    CUSTODY,
    HOP_LIMIT,
    MUST_NOT_FRAGMENT,
    APPLICATION_ACK
}
