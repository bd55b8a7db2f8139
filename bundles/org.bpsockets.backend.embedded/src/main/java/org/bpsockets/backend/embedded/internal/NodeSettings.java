package org.bpsockets.backend.embedded.internal;

import org.bpsockets.api.eid.EndpointId;

/**
 * What a node is told at start.
 *
 * @param nodeId its node ID ({@code ipn:N.0} or {@code dtn://name/})
 * @param maxBundleSize the largest encoded bundle it accepts from applications and peers
 * @param fragmentPayload proactive fragmentation: bundles whose payload is larger are sent as fragments
 *        of this many payload bytes (0: only when a link cannot take the whole bundle)
 * @param statusReports whether the node sends the status reports bundles ask for
 * @param maxStoredBytes storage quota; beyond it new bundles are refused (NO_BUFFER_SPACE / NO_RESOURCES)
 * @param echo whether the node answers bundles sent to its echo endpoint (ipn:N.9002, dtn://node/echo)
 *        with their payload, as µD3TN does (for ping)
 * @param minFreeDiskBytes bytes the store's file system keeps free: a bundle that would leave less is
 *        refused (ENOBUFS to an application) before the store itself fails on a full disk
 */
public record NodeSettings(EndpointId nodeId, long maxBundleSize, long fragmentPayload, boolean statusReports,
        long maxStoredBytes, boolean echo, long minFreeDiskBytes) {

    /** The echo agent's ipn service, the same as µD3TN's. */
    public static final long ECHO_SERVICE = 9002;

    public NodeSettings {
        if (nodeId.isNull() || !nodeId.isNodeId()) {
            throw new IllegalArgumentException("node ID must be ipn:N.0 or dtn://name/, was " + nodeId);
        }
    }

    /** This node's echo endpoint. */
    public EndpointId echoEndpoint() {
        if (nodeId instanceof org.bpsockets.api.eid.IpnEndpointId ipn) {
            return ipn.withService(ECHO_SERVICE);
        }
        return ((org.bpsockets.api.eid.DtnEndpointId) nodeId).withDemux("echo");
    }

    public static NodeSettings defaults(EndpointId nodeId) {
        return new NodeSettings(nodeId, 64L << 20, 0, true, 1L << 30, true, 0);
    }
}
