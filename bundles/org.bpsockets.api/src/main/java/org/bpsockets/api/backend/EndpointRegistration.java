package org.bpsockets.api.backend;

import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/** An open registration of an endpoint on a backend. */
@ProviderType
public interface EndpointRegistration extends AutoCloseable {

    EndpointId endpoint();

    /**
     * Stops deliveries. Deliveries not yet acknowledged stay with the backend for the endpoint's next
     * registration. Idempotent.
     */
    @Override
    void close();
}
