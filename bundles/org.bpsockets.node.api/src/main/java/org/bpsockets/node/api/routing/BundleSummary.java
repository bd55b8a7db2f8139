package org.bpsockets.node.api.routing;

import java.time.Instant;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;

/**
 * A bundle as routing sees it.
 *
 * @param id its identity (source, creation timestamp, fragment offset)
 * @param destination where it goes
 * @param previousNode the node it came from; the null endpoint if it was created here
 * @param size its encoded size in bytes
 * @param expiresAt when its lifetime ends
 */
public record BundleSummary(BundleId id, EndpointId destination, EndpointId previousNode, long size,
        Instant expiresAt) {
}
