package org.bpsockets.api.bundle;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;

/**
 * An application data unit delivered to a local endpoint, with what the application may want to know
 * of its bundle.
 *
 * @param id source, creation timestamp (and fragment offset -1: deliveries are whole ADUs)
 * @param destination the endpoint it was delivered to
 * @param lifetime the bundle's lifetime
 * @param administrativeRecord true if the payload is an administrative record (a status report)
 * @param applicationAckRequested true if the source asked for an application acknowledgement
 * @param payload the ADU; read-only
 */
public record ReceivedBundle(BundleId id, EndpointId destination, Duration lifetime, boolean administrativeRecord,
        boolean applicationAckRequested, ByteBuffer payload) {

    public ReceivedBundle {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(payload, "payload");
        payload = payload.asReadOnlyBuffer();
    }

    public EndpointId source() {
        return id.source();
    }

    /** A copy of the payload bytes. */
    public byte[] payloadBytes() {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return bytes;
    }
}
