package org.bpsockets.api.backend;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A carrier of bundles: the embedded node, an ION node, a µD3TN node. Published as an OSGi service;
 * the registry uses one at a time (the active backend) and moves every open endpoint to another when
 * the active one goes away or a preferred one appears.
 *
 * <p>Contract, the same for every backend:
 * <ul>
 * <li>{@link #open} registers an endpoint; received ADUs for it go to the sink, each as a
 * {@link Delivery} the backend keeps until it is {@linkplain Delivery#acknowledge() acknowledged}. At
 * most {@code window} deliveries of one registration are unacknowledged at any time.</li>
 * <li>A delivery that was {@linkplain Delivery#release() released}, or was still unacknowledged when its
 * registration closed, is delivered again to the next registration of that endpoint, on this backend
 * (if it kept it) or not at all; never lost silently.</li>
 * <li>{@link #send} completes once the backend has taken responsibility for the bundle (stored it or
 * handed it to its node), or fails with a {@link BpException} that says why.</li>
 * </ul>
 */
@ProviderType
public interface Backend {

    /** Service property with the backend's {@link #name()}, for filters and configuration. */
    String NAME_PROPERTY = "bp.backend.name";

    /** A short stable name ("embedded", "ion", "ud3tn"), used in configuration and by the shell. */
    String name();

    /** The options it honours and its limits. */
    BackendCapabilities capabilities();

    /** Whether it can carry bundles now, and if not, why. */
    BackendHealth health();

    /**
     * The node ID of the node this backend serves ({@code ipn:N.0} or {@code dtn://node/}), which
     * {@code ipn:!.S} and automatic binding resolve to; empty while not known (its node is not running).
     */
    Optional<EndpointId> nodeId();

    /**
     * Registers an endpoint and starts delivering what arrives for it to {@code sink}.
     *
     * @param endpoint a non-null endpoint of this node
     * @param sink where deliveries go; called from backend threads, never concurrently for one registration
     * @param window the most unacknowledged deliveries this registration may have at once (&gt;= 1)
     * @throws BpException ADDRESS_IN_USE if another client holds the endpoint, ADDRESS_NOT_AVAILABLE if it
     *         cannot be registered here, NO_BACKEND if the backend cannot reach its node
     */
    EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException;

    /**
     * Sends an ADU as a bundle. The stage completes with the bundle's identifier once the backend has
     * accepted it, or exceptionally with a {@link BpException}.
     */
    CompletionStage<BundleId> send(SendRequest request);
}
