package org.bpsockets.node.api.routing;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.bpsockets.api.eid.EndpointId;

/**
 * A static route: bundles whose destination matches {@code pattern} go to {@code nextHop}.
 *
 * <p>Patterns: {@code *} (everything), an EID ({@code ipn:2.1}), an ipn node with any service
 * ({@code ipn:2.*}), any ipn EID ({@code ipn:*.*}), a dtn node's endpoints ({@code dtn://node/*}). The
 * next hop is a configured link's name, or a peer's node ID (any link up to that peer).
 *
 * @param name the route's name
 * @param pattern the destination pattern
 * @param nextHop a link name or a node ID
 */
public record RouteEntry(String name, String pattern, String nextHop) {
    /** ipn:N.* patterns parsed once: the router matches every bundle against every route (issue 18). */
    private static final Map<String, EndpointId> NODE_PATTERNS = new ConcurrentHashMap<>();

    public RouteEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(nextHop, "nextHop");
        checkPattern(pattern);
    }

    /** @throws IllegalArgumentException naming the problem, for a pattern of no known form */
    public static void checkPattern(String pattern) {
        if (pattern.equals("*") || pattern.equals("ipn:*.*")) {
            return;
        }
        if (pattern.endsWith(".*") && pattern.startsWith("ipn:")) {
            EndpointId.parse(pattern.substring(0, pattern.length() - 1) + "0");
            return;
        }
        if (pattern.endsWith("/*") && pattern.startsWith("dtn://")) {
            EndpointId.parse(pattern.substring(0, pattern.length() - 1));
            return;
        }
        try {
            EndpointId.parse(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route pattern '" + pattern + "' is neither *, an EID, ipn:N.*, "
                    + "ipn:*.* nor dtn://node/*: " + e.getMessage(), e);
        }
    }

    /** Whether a destination matches this route's pattern. */
    public boolean matches(EndpointId destination) {
        if (pattern.equals("*")) {
            return true;
        }
        String text = destination.toString();
        if (pattern.equals("ipn:*.*")) {
            return text.startsWith("ipn:");
        }
        if (pattern.endsWith(".*") && pattern.startsWith("ipn:")) {
            return destination.nodeId().equals(NODE_PATTERNS.computeIfAbsent(pattern,
                    p -> EndpointId.parse(p.substring(0, p.length() - 1) + "0")));
        }
        if (pattern.endsWith("/*")) {
            return text.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return destination.equals(EndpointId.parse(pattern));
    }
}
