package org.bpsockets.api.bundle;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;

/**
 * The per-bundle options an application can ask for. Immutable; build with {@link #builder()}.
 *
 * <table>
 * <caption>Options and defaults</caption>
 * <tr><th>option</th><th>default</th><th>range</th></tr>
 * <tr><td>lifetime</td><td>24 hours (as ION and µD3TN)</td><td>1 ms .. 2^63-1 ms</td></tr>
 * <tr><td>class of service</td><td>NORMAL</td><td>BULK, NORMAL, EXPEDITED</td></tr>
 * <tr><td>ordinal</td><td>0</td><td>0..254 (ION's priority within EXPEDITED)</td></tr>
 * <tr><td>status reports</td><td>none</td><td>any of RECEPTION, FORWARDING, DELIVERY, DELETION</td></tr>
 * <tr><td>report-to</td><td>empty: the bundle's source endpoint</td><td>any non-null EID</td></tr>
 * <tr><td>custody</td><td>NONE</td><td>NONE, OPTIONAL, REQUIRED</td></tr>
 * <tr><td>hop limit</td><td>empty: no hop count block</td><td>1..255</td></tr>
 * <tr><td>must not fragment</td><td>false</td><td></td></tr>
 * <tr><td>application ack requested</td><td>false</td><td></td></tr>
 * </table>
 */
public final class BundleOptions {

    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);
    public static final int MAX_ORDINAL = 254;
    public static final int MAX_HOP_LIMIT = 255;
    /** The defaults of every option. */
    public static final BundleOptions DEFAULTS = builder().build();

    private final Duration lifetime;
    private final ClassOfService classOfService;
    private final int ordinal;
    private final Set<StatusReportKind> statusReports;
    private final EndpointId reportTo;
    private final CustodyMode custody;
    private final int hopLimit;
    private final boolean mustNotFragment;
    private final boolean applicationAck;

    private BundleOptions(Builder b) {
        this.lifetime = b.lifetime;
        this.classOfService = b.classOfService;
        this.ordinal = b.ordinal;
        this.statusReports = Collections.unmodifiableSet(b.statusReports.clone());
        this.reportTo = b.reportTo;
        this.custody = b.custody;
        this.hopLimit = b.hopLimit;
        this.mustNotFragment = b.mustNotFragment;
        this.applicationAck = b.applicationAck;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lifetime = lifetime;
        b.classOfService = classOfService;
        b.ordinal = ordinal;
        b.statusReports = statusReports.isEmpty() ? EnumSet.noneOf(StatusReportKind.class)
                : EnumSet.copyOf(statusReports);
        b.reportTo = reportTo;
        b.custody = custody;
        b.hopLimit = hopLimit;
        b.mustNotFragment = mustNotFragment;
        b.applicationAck = applicationAck;
        return b;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public ClassOfService classOfService() {
        return classOfService;
    }

    public int ordinal() {
        return ordinal;
    }

    public Set<StatusReportKind> statusReports() {
        return statusReports;
    }

    /** Where status reports go; empty means the bundle's source endpoint. */
    public Optional<EndpointId> reportTo() {
        return Optional.ofNullable(reportTo);
    }

    public CustodyMode custody() {
        return custody;
    }

    /** The hop limit of a hop count block; empty means the bundle carries none. */
    public OptionalInt hopLimit() {
        return hopLimit == 0 ? OptionalInt.empty() : OptionalInt.of(hopLimit);
    }

    public boolean mustNotFragment() {
        return mustNotFragment;
    }

    public boolean applicationAck() {
        return applicationAck;
    }

    /** The options whose value differs from the default: what a backend must honour to send this. */
    public Set<BundleOption> nonDefault() {
        EnumSet<BundleOption> set = EnumSet.noneOf(BundleOption.class);
        BundleOptions d = DEFAULTS;
        if (!lifetime.equals(d.lifetime)) {
            set.add(BundleOption.LIFETIME);
        }
        if (classOfService != d.classOfService) {
            set.add(BundleOption.CLASS_OF_SERVICE);
        }
        if (ordinal != d.ordinal) {
            set.add(BundleOption.ORDINAL);
        }
        if (!statusReports.isEmpty()) {
            set.add(BundleOption.STATUS_REPORTS);
        }
        if (reportTo != null) {
            set.add(BundleOption.REPORT_TO);
        }
        if (custody != d.custody) {
            set.add(BundleOption.CUSTODY);
        }
        if (hopLimit != 0) {
            set.add(BundleOption.HOP_LIMIT);
        }
        if (mustNotFragment) {
            set.add(BundleOption.MUST_NOT_FRAGMENT);
        }
        if (applicationAck) {
            set.add(BundleOption.APPLICATION_ACK);
        }
        return Collections.unmodifiableSet(set);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleOptions other
                && lifetime.equals(other.lifetime)
                && classOfService == other.classOfService
                && ordinal == other.ordinal
                && statusReports.equals(other.statusReports)
                && Objects.equals(reportTo, other.reportTo)
                && custody == other.custody
                && hopLimit == other.hopLimit
                && mustNotFragment == other.mustNotFragment
                && applicationAck == other.applicationAck;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lifetime, classOfService, ordinal, statusReports, reportTo, custody, hopLimit,
                mustNotFragment, applicationAck);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BundleOptions[lifetime=").append(lifetime)
                .append(", cos=").append(classOfService);
        if (ordinal != 0) {
            sb.append(", ordinal=").append(ordinal);
        }
        if (!statusReports.isEmpty()) {
            sb.append(", reports=").append(statusReports);
        }
        if (reportTo != null) {
            sb.append(", reportTo=").append(reportTo);
        }
        if (custody != CustodyMode.NONE) {
            sb.append(", custody=").append(custody);
        }
        if (hopLimit != 0) {
            sb.append(", hopLimit=").append(hopLimit);
        }
        if (mustNotFragment) {
            sb.append(", mustNotFragment");
        }
        if (applicationAck) {
            sb.append(", appAck");
        }
        return sb.append(']').toString();
    }

    /** Builds {@link BundleOptions}; every setter validates at once and names the problem. */
    public static final class Builder {
        private Duration lifetime = DEFAULT_LIFETIME;
        private ClassOfService classOfService = ClassOfService.NORMAL;
        private int ordinal;
        private EnumSet<StatusReportKind> statusReports = EnumSet.noneOf(StatusReportKind.class);
        private EndpointId reportTo;
        private CustodyMode custody = CustodyMode.NONE;
        private int hopLimit;
        private boolean mustNotFragment;
        private boolean applicationAck;

        private Builder() {
        }

        /** @throws IllegalArgumentException if not positive or not representable in milliseconds */
        public Builder lifetime(Duration value) {
            Objects.requireNonNull(value, "lifetime");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("lifetime must be positive, was " + value);
            }
            try {
                if (value.toMillis() == 0) {
                    throw new IllegalArgumentException("lifetime must be at least 1 ms, was " + value);
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("lifetime " + value + " does not fit in 64-bit milliseconds", e);
            }
            this.lifetime = value;
            return this;
        }

        public Builder classOfService(ClassOfService value) {
            this.classOfService = Objects.requireNonNull(value, "classOfService");
            return this;
        }

        /** @throws IllegalArgumentException if outside 0..254 */
        public Builder ordinal(int value) {
            if (value < 0 || value > MAX_ORDINAL) {
                throw new IllegalArgumentException("ordinal must be 0.." + MAX_ORDINAL + ", was " + value);
            }
            this.ordinal = value;
            return this;
        }

        public Builder statusReports(Set<StatusReportKind> value) {
            Objects.requireNonNull(value, "statusReports");
            this.statusReports = value.isEmpty() ? EnumSet.noneOf(StatusReportKind.class) : EnumSet.copyOf(value);
            return this;
        }

        /**
         * Where status reports go; null restores the default (the source).
         *
         * @throws IllegalArgumentException for the null endpoint, which cannot receive reports
         */
        public Builder reportTo(EndpointId value) {
            if (value != null && value.isNull()) {
                throw new IllegalArgumentException("report-to cannot be the null endpoint " + value);
            }
            this.reportTo = value;
            return this;
        }

        public Builder custody(CustodyMode value) {
            this.custody = Objects.requireNonNull(value, "custody");
            return this;
        }

        /**
         * Adds a hop count block with this limit; 0 removes it.
         *
         * @throws IllegalArgumentException if outside 0..255
         */
        public Builder hopLimit(int value) {
            if (value < 0 || value > MAX_HOP_LIMIT) {
                throw new IllegalArgumentException("hop limit must be 1.." + MAX_HOP_LIMIT + " (0: none), was " + value);
            }
            this.hopLimit = value;
            return this;
        }

        public Builder mustNotFragment(boolean value) {
            this.mustNotFragment = value;
            return this;
        }

        public Builder applicationAck(boolean value) {
            this.applicationAck = value;
            return this;
        }

        public BundleOptions build() {
            return new BundleOptions(this);
        }
    }
}
