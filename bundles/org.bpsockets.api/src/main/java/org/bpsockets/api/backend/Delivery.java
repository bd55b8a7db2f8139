package org.bpsockets.api.backend;

import org.bpsockets.api.bundle.ReceivedBundle;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A received ADU that the backend keeps until the application side has it. Exactly one of
 * {@link #acknowledge()} and {@link #release()} takes effect; later calls are ignored.
 */
@ProviderType
public interface Delivery {

    ReceivedBundle bundle();

    /** The application side has the ADU: the backend may forget it. */
    void acknowledge();

    /** The ADU was not taken: the backend keeps it and delivers it again to a later registration. */
    void release();
}
