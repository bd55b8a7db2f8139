package org.bpsockets.api.eid;

import java.util.Locale;
import java.util.Objects;

/**
 * A Bundle Protocol endpoint identifier (RFC 9171 §4.2.5.1): an immutable value of the {@code ipn} or
 * {@code dtn} scheme.
 *
 * <p>{@link #parse(String)} accepts exactly the text forms of RFC 9758 ({@code ipn:N.S},
 * {@code ipn:A.N.S}, {@code ipn:!.S}) and RFC 9171 ({@code dtn://node/demux}, {@code dtn:none}); every
 * rejection is an {@link EndpointIdSyntaxException} whose message names the problem.
 * {@link #toString()} gives the canonical text form, which parses back to an equal value.
 */
public abstract sealed class EndpointId permits IpnEndpointId, DtnEndpointId {

    EndpointId() {
    }

    /**
     * Parses an endpoint ID from its text form.
     *
     * @throws EndpointIdSyntaxException if the text is not a valid ipn or dtn EID; the message says why
     */
    public static EndpointId parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new EndpointIdSyntaxException(text, "no scheme: expected 'ipn:' or 'dtn:'");
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "ipn":
                return IpnEndpointId.parseSsp(text, text.substring(colon + 1));
            case "dtn":
                return DtnEndpointId.parseSsp(text, text.substring(colon + 1));
            default:
                throw new EndpointIdSyntaxException(text,
                        "unknown scheme '" + text.substring(0, colon) + "': expected 'ipn' or 'dtn'");
        }
    }

    /** The URI scheme of this endpoint. */
    public abstract Scheme scheme();

    /** True for the null endpoint ({@code dtn:none}, {@code ipn:0.0}), which identifies no node. */
    public abstract boolean isNull();

    /**
     * The node ID of the node this endpoint belongs to (RFC 9171 §4.2.5.2): {@code ipn:N.0} or
     * {@code dtn://node/}. The null endpoint is its own node ID.
     */
    public abstract EndpointId nodeId();

    /** True if this endpoint is itself a node ID (an administrative endpoint). */
    public boolean isNodeId() {
        return !isNull() && equals(nodeId());
    }

    /** The canonical text form. */
    @Override
    public abstract String toString();
}
