package org.bpsockets.node.api.cla;

import java.nio.ByteBuffer;

import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node, as convergence layers see it: published by the node as a service, so a layer is active
 * only while a node is. Every method is thread-safe and returns promptly.
 */
@ProviderType
public interface ClaContext {

    /** The node's own ID, which layers announce in their session or contact headers. */
    EndpointId localNodeId();

    /** The largest encoded bundle the node accepts (a layer's transfer limit). */
    long maxBundleSize();

    /** A link came up: the peer is known as far as the layer can know it, and bundles may flow. */
    void linkUp(Link link);

    /** A link that refused a transmit (its queue was full) can take more. */
    void linkWritable(Link link);

    /** A link went down for good (closed, failed, or never came up). Its unfinished transmits have failed. */
    void linkDown(Link link, String reason);

    /**
     * A whole bundle arrived. The node decodes and stores it, then calls the receipt. The layer hands the
     * bytes over: it never changes them after the call, so the node keeps a buffer that wraps a whole
     * array as it is (its stored copy) and copies any other (issue 18: copies per bundle).
     */
    void received(Link link, ByteBuffer bundle, Receipt receipt);
}
