package org.bpsockets.api.registry;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/** A datagram socket that lives in the node itself, with the same semantics as an AF_BP socket. */
@ProviderType
public interface LocalSocket extends AutoCloseable {

    /** The bound endpoint; empty until bound. */
    Optional<EndpointId> endpoint();

    /** Sends an ADU; binds automatically first if unbound. */
    CompletionStage<BundleId> send(EndpointId destination, byte[] payload, BundleOptions options);

    /**
     * Waits for the next received ADU.
     *
     * @return the ADU, or empty if none arrived within {@code timeout}
     * @throws InterruptedException if the waiting thread was interrupted
     */
    Optional<ReceivedBundle> receive(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
