package org.bpsockets.node.api.cla;

import java.nio.ByteBuffer;
import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ConsumerType;

/** One session of a convergence layer with a peer. Thread-safe. */
@ConsumerType
public interface Link {

    /** Unique within the node while it runs, e.g. "tcpclv4-7". */
    String id();

    /** The name of its convergence layer. */
    String convergenceLayer();

    /** The peer's address as this layer writes it ("127.0.0.1:4556"). */
    String remoteAddress();

    /** True if this node opened it. */
    boolean outbound();

    LinkState state();

    /** The peer's node ID, when the layer learned it (TCPCL session/contact header) or was told it. */
    Optional<EndpointId> peerNodeId();

    /** The largest encoded bundle the peer accepts on this link, as negotiated; Long.MAX_VALUE if unbounded. */
    long maxBundleSize();

    /**
     * Queues an encoded bundle for the peer without blocking. The callback runs once: transmitted when
     * the peer acknowledged all of it (or, for a layer without acknowledgements, when it was written),
     * failed otherwise (refused, session closed, ...).
     *
     * @param bundle the encoded bundle; the layer reads it from its position to its limit and does not
     *        change it
     * @return false, and no callback, if the link cannot take more now (not up, or its queue is full);
     *         the node tries again after {@link ClaContext#linkWritable(Link)}
     */
    boolean transmit(ByteBuffer bundle, TransmitCallback callback);

    /**
     * As {@link #transmit(ByteBuffer, TransmitCallback)} for a bundle given in parts, transmitted as their
     * concatenation: the node forwards a stored bundle as its re-encoded blocks followed by the stored
     * payload, so that a large payload is not copied to be sent (issue 18). A layer that can write a list
     * of buffers overrides this; the default joins them into one.
     *
     * @param parts the encoded bundle's parts, in order; each read from its position to its limit, none
     *        changed
     */
    default boolean transmit(ByteBuffer[] parts, TransmitCallback callback) {
        if (parts.length == 1) {
            return transmit(parts[0], callback);
        }
        int length = 0;
        for (ByteBuffer p : parts) {
            length = Math.addExact(length, p.remaining());
        }
        ByteBuffer whole = ByteBuffer.allocate(length);
        for (ByteBuffer p : parts) {
            whole.put(p.duplicate());
        }
        return transmit(whole.flip(), callback);
    }

    /** Ends the session (gracefully where the layer can); queued bundles fail. Idempotent. */
    void close();
}
