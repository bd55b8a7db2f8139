package org.bpsockets.cla.common;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.TransmitCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every link shares: identity, state, and admission of transmits against the queue limits. A
 * transmit counts until its callback has run, so the limits also bound the bundles in flight
 * (written, not yet acknowledged), not only those waiting to be written.
 */
public abstract class AbstractLink implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractLink.class);

    protected final ClaContext context;
    private final String id;
    private final String layer;
    private final boolean outbound;
    private final int queueLimit;
    private final long queueBytes;
    private volatile String remoteAddress;
    private volatile LinkState state = LinkState.CONNECTING;
    private volatile EndpointId peerNodeId;
    private volatile long maxBundleSize = Long.MAX_VALUE;
    private final AtomicBoolean reportedDown = new AtomicBoolean();
    private volatile boolean reportedUp;

    private final Object admission = new Object();
    private int pendingCount;
    private long pendingBytes;
    private boolean wantWritable;

    protected AbstractLink(ClaContext context, String id, String layer, String remoteAddress, boolean outbound,
            int queueLimit, long queueBytes) {
        this.context = context;
        this.id = id;
        this.layer = layer;
        this.remoteAddress = remoteAddress;
        this.outbound = outbound;
        this.queueLimit = Math.max(1, queueLimit);
        this.queueBytes = Math.max(1, queueBytes);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String convergenceLayer() {
        return layer;
    }

    @Override
    public final String remoteAddress() {
        return remoteAddress;
    }

    protected final void remoteAddress(String address) {
        this.remoteAddress = address;
    }

    @Override
    public final boolean outbound() {
        return outbound;
    }

    @Override
    public final LinkState state() {
        return state;
    }

    @Override
    public final Optional<EndpointId> peerNodeId() {
        return Optional.ofNullable(peerNodeId);
    }

    protected final void peerNodeId(EndpointId peer) {
        this.peerNodeId = peer;
    }

    @Override
    public final long maxBundleSize() {
        return maxBundleSize;
    }

    protected final void maxBundleSize(long max) {
        this.maxBundleSize = max;
    }

    @Override
    public final boolean transmit(ByteBuffer bundle, TransmitCallback callback) {
        return transmit(new ByteBuffer[] {Objects.requireNonNull(bundle, "bundle")}, callback);
    }

    /** The parts are written one after the other by the session (see {@link Transfer}), never joined. */
    @Override
    public final boolean transmit(ByteBuffer[] parts, TransmitCallback callback) {
        Objects.requireNonNull(parts, "parts");
        Objects.requireNonNull(callback, "callback");
        if (state != LinkState.UP) {
            return false;
        }
        long total = 0;
        for (ByteBuffer p : parts) {
            total += Objects.requireNonNull(p, "part").remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a bundle of " + total + " bytes is too large for one transfer");
        }
        int length = (int) total;
        synchronized (admission) {
            if (pendingCount >= queueLimit || (pendingCount > 0 && pendingBytes + length > queueBytes)) {
                wantWritable = true;
                return false;
            }
            pendingCount++;
            pendingBytes += length;
        }
        Transfer t = new Transfer(this, parts, callback);
        if (!enqueue(t)) {
            // The session ended between the state check and now: as if it had been down already.
            synchronized (admission) {
                pendingCount--;
                pendingBytes -= length;
            }
            return false;
        }
        return true;
    }

    /** Hands an admitted transfer to the sending side; false if the link no longer sends. */
    protected abstract boolean enqueue(Transfer t);

    /** A transfer's callback ran: its room is free again. */
    final void released(int length) {
        boolean notify = false;
        synchronized (admission) {
            pendingCount--;
            pendingBytes -= length;
            // Hysteresis: wake the node when half the room is free, not for every single slot.
            if (wantWritable && pendingCount <= queueLimit / 2 && pendingBytes <= queueBytes / 2) {
                wantWritable = false;
                notify = true;
            }
        }
        if (notify && state == LinkState.UP) {
            try {
                context.linkWritable(this);
            } catch (Throwable e) {
                LOG.warn("{}: linkWritable threw", id, e);
            }
        }
    }

    /** Bundles admitted and not yet called back. */
    public final int pendingTransmits() {
        synchronized (admission) {
            return pendingCount;
        }
    }

    /** Moves to UP and tells the node, once. */
    protected final void reportUp() {
        if (reportedDown.get()) {
            return;
        }
        state = LinkState.UP;
        reportedUp = true;
        try {
            context.linkUp(this);
        } catch (Throwable e) {
            LOG.warn("{}: linkUp threw", id, e);
        }
    }

    /** Moves to DOWN (transmit refuses from now on) without telling the node yet. */
    protected final void markDown() {
        state = LinkState.DOWN;
    }

    /** Moves to DOWN and tells the node, once. */
    protected final void reportDown(String reason) {
        state = LinkState.DOWN;
        if (!reportedDown.compareAndSet(false, true)) {
            return;
        }
        if (reportedUp) {
            LOG.info("{} {} to {} is down: {}", layer, id, remoteAddress, reason);
        } else {
            // The node logs a failed attempt (rate-limited: it may retry every second).
            LOG.debug("{} {} to {} did not come up: {}", layer, id, remoteAddress, reason);
        }
        try {
            context.linkDown(this, reason);
        } catch (Throwable e) {
            LOG.warn("{}: linkDown threw", id, e);
        }
    }

    public final boolean wasUp() {
        return reportedUp;
    }

    @Override
    public String toString() {
        return layer + " link " + id + " (" + (outbound ? "to " : "from ") + remoteAddress + ", " + state + ")";
    }
}
