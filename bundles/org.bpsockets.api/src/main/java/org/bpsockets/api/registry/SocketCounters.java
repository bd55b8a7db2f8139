package org.bpsockets.api.registry;

/**
 * Counters of one socket.
 *
 * @param sent bundles the backend accepted from it
 * @param sendFailures sends refused by the node or the backend
 * @param delivered ADUs the socket accepted
 * @param refusedFull deliveries the socket refused because it was full (retried later)
 * @param duplicates redeliveries of ADUs the socket already had, acknowledged without delivering again
 * @param reports status reports about its bundles that the socket took
 * @param reportsDropped status reports for it that it did not take (it does not read them, or was full)
 */
public record SocketCounters(long sent, long sendFailures, long delivered, long refusedFull, long duplicates,
        long reports, long reportsDropped) {
}
