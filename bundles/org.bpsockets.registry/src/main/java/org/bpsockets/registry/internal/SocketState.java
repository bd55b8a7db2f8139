package org.bpsockets.registry.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.SocketCounters;
import org.bpsockets.api.transport.OptionValue;

/**
 * Everything the registry knows of one socket. Every field is guarded by the registry's lock; the
 * transport and backend are called only outside it.
 */
final class SocketState {

    final TransportSessionImpl session;
    final long id;

    EndpointId endpoint;
    final Map<Integer, OptionValue> options = new LinkedHashMap<>();
    boolean released;

    /** The registration on the active backend, and the sink it delivers to (null while none is open). */
    EndpointRegistration registration;
    Backend registeredOn;
    RegistrationSink sink;
    String registrationProblem;

    /**
     * Deliveries not yet handed to the transport, in arrival order. Sized for none: most sockets wait
     * with nothing queued, and a node holds thousands of them (it grows as a deque does).
     */
    final ArrayDeque<Delivery> queue = new ArrayDeque<>(0);
    /** Deliveries handed to the transport and not yet answered, in the order they were handed. */
    final List<Delivery> inFlight = new ArrayList<>();
    /** Deliveries the socket refused because it was full; queued again, first, once nothing is in flight. */
    final List<Delivery> refused = new ArrayList<>();
    boolean full;
    /** Counts drained notices; a FULL answer to a delivery handed over before the last one is stale. */
    long drainEpoch;
    private java.util.IdentityHashMap<Delivery, Long> handedAtEpoch;
    boolean pumping;
    final RecentIds recent;

    long sent;
    long sendFailures;
    long delivered;
    long refusedFull;
    long duplicates;
    long reports;
    long reportsDropped;

    SocketState(TransportSessionImpl session, long id, int duplicateMemory) {
        this.session = session;
        this.id = id;
        this.recent = new RecentIds(duplicateMemory);
    }

    /** A delivery handed to the transport now, at the current drain epoch. */
    void handed(Delivery delivery) {
        if (handedAtEpoch == null) {
            // Made at the first delivery: an empty IdentityHashMap is 300 bytes, for each bound socket.
            handedAtEpoch = new java.util.IdentityHashMap<>();
        }
        handedAtEpoch.put(delivery, drainEpoch);
    }

    /** The drain epoch at which a delivery was handed over, forgotten now; null if not handed over. */
    Long answered(Delivery delivery) {
        return handedAtEpoch == null ? null : handedAtEpoch.remove(delivery);
    }

    SocketCounters counters() {
        return new SocketCounters(sent, sendFailures, delivered, refusedFull, duplicates, reports, reportsDropped);
    }

    int pendingDeliveries() {
        return queue.size() + inFlight.size() + refused.size();
    }

    boolean isInFlight(BundleId bundle) {
        for (Delivery d : inFlight) {
            if (d.bundle().id().equals(bundle)) {
                return true;
            }
        }
        return false;
    }

    /** True if the head of the queue may be handed to the transport now, keeping the order of ADUs. */
    boolean canHandOver(int pipeline) {
        return !released && !full && refused.isEmpty() && !queue.isEmpty() && inFlight.size() < pipeline
                && !isInFlight(queue.peekFirst().bundle().id());
    }

    /** Takes every delivery the transport does not hold; the caller releases them outside the lock. */
    List<Delivery> takeUnsent() {
        List<Delivery> taken = new ArrayList<>(refused);
        taken.addAll(queue);
        refused.clear();
        queue.clear();
        return taken;
    }

    @Override
    public String toString() {
        return session.transport().name() + "#" + id + (endpoint == null ? "" : " " + endpoint);
    }
}
