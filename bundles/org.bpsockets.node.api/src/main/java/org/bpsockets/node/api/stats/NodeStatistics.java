package org.bpsockets.node.api.stats;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The embedded node's counters, published as a service while the node runs. Each call takes a
 * consistent snapshot on the node's event thread, so {@code accepted = delivered + forwarded + deleted
 * + stored} holds within one snapshot (docs/architecture.md, "Lifecycle of a bundle").
 */
@ProviderType
public interface NodeStatistics {

    /** The node's ID, e.g. ipn:1.0. */
    String nodeId();

    /**
     * Every counter by name, as bp:node prints them: "accepted", "created", "received", "generated",
     * "recovered", "delivered", "forwarded", "deleted", "deleted: REASON", "refused",
     * "refused: WHY", "stored", "stored bytes", and the others; all monotonic except "stored" and
     * "stored bytes".
     */
    Map<String, Long> counters();

    /** Every link the node has now (configured ones, up or down, and those peers opened). */
    List<LinkStatistics> links();

    /**
     * One link's traffic since the node started (a configured link keeps its counts across reconnections).
     *
     * @param name the configured link's name, or "(inbound)" for one a peer opened
     * @param id the open link's ID, or "-" if it is down
     * @param queued bundles queued on it now
     */
    record LinkStatistics(String name, String id, String layer, String state, int queued, long bundlesIn,
            long bytesIn, long bundlesOut, long bytesOut, long refused, long failures) {
    }
}
