package org.bpsockets.api.backend;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.eid.Scheme;

/**
 * What a backend can do.
 *
 * @param options the bundle options it honours; a send asking for any other non-default option is refused
 * @param schemes the EID schemes it can register and send to
 * @param maxPayload the largest ADU it accepts, in bytes
 */
public record BackendCapabilities(Set<BundleOption> options, Set<Scheme> schemes, long maxPayload) {

    public BackendCapabilities {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(schemes, "schemes");
        options = Collections.unmodifiableSet(options.isEmpty() ? EnumSet.noneOf(BundleOption.class)
                : EnumSet.copyOf(options));
        schemes = Collections.unmodifiableSet(schemes.isEmpty() ? EnumSet.noneOf(Scheme.class)
                : EnumSet.copyOf(schemes));
        if (maxPayload < 0) {
            throw new IllegalArgumentException("maxPayload must not be negative, was " + maxPayload);
        }
    }

    public boolean honours(BundleOption option) {
        return options.contains(option);
    }
}
