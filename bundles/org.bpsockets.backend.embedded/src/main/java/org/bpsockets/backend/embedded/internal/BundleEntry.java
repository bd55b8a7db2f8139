package org.bpsockets.backend.embedded.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.node.api.cla.Receipt;

/** A bundle the node holds, with what it still owes for it. Owned by the event thread. */
final class BundleEntry {

    enum Delivery {
        /** Not for a local endpoint. */
        NONE,
        /** Waits for a registration of its endpoint, or for room in its window. */
        PENDING,
        /** Handed to a registration, not acknowledged yet. */
        OFFERED,
        DONE
    }

    enum Forwarding {
        /** For a local endpoint: nothing to forward. */
        NONE,
        /** Waits for the router. */
        WAITING,
        /** Queued on a link or being transmitted. */
        QUEUED,
        DONE
    }

    final long key;
    final Bundle bundle;
    /** The bundle's bytes as they were received or created (what the store holds). */
    final ByteBuffer encoded;
    final BundleId id;
    final long expiresAt;
    final ClassOfService priority;
    /** The link it came from, or null if it was created here. */
    final String receivedFrom;

    /** When it arrived, on the monotonic clock ({@link NodeCore#monotonicMillis}), for its dwell time. */
    final long arrivedAt = NodeCore.monotonicMillis();
    /** For an ADU reassembled in memory: the keys of the stored fragments it was made of. */
    java.util.List<Long> fragmentParts;
    /** Counts queueings on links, so callbacks of an earlier attempt are told apart. */
    int attempt;

    /** The registration it is offered to, while {@link Delivery#OFFERED}. */
    Object offeredTo;

    boolean stored;
    Delivery delivery = Delivery.NONE;
    Forwarding forwarding = Forwarding.NONE;
    String queuedOn;
    /** Fragments of this bundle still in transmission on {@link #queuedOn}. */
    int fragmentsInFlight;
    boolean deleted;

    /** Completed when stored: the application's send, or the peer's receipt. */
    CompletableFuture<BundleId> created;
    Receipt receipt;

    BundleEntry(long key, Bundle bundle, ByteBuffer encoded, long expiresAt, ClassOfService priority,
            String receivedFrom) {
        this.key = key;
        this.bundle = bundle;
        this.encoded = encoded;
        this.id = bundle.bundleId();
        this.expiresAt = expiresAt;
        this.priority = priority;
        this.receivedFrom = receivedFrom;
    }

    /** The state the store keeps: what is done, and the priority (recomputed from nothing else). */
    byte[] persistedState() {
        return new byte[] {1, (byte) ((delivery == Delivery.DONE ? 1 : 0) | (forwarding == Forwarding.DONE ? 2 : 0)),
            (byte) priority.ordinal()};
    }

    boolean owesNothing() {
        return (delivery == Delivery.NONE || delivery == Delivery.DONE)
                && (forwarding == Forwarding.NONE || forwarding == Forwarding.DONE);
    }
}
