package org.bpsockets.node.api.cla;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A convergence layer (TCPCLv4, TCPCLv3, MTCP, UDP, ...), published as a service. It accepts inbound
 * links on the listeners its own configuration names (127.0.0.1 unless configured otherwise) and opens
 * outbound links when the node asks. Every link it creates, in either direction, is reported to the
 * node's {@link ClaContext}.
 */
@ConsumerType
public interface ConvergenceLayer {

    /** Service property with {@link #name()}. */
    String NAME_PROPERTY = "bp.cla.name";

    /** The name links and routes use: "tcpclv4", "tcpclv3", "mtcp", "udp". */
    String name();

    /**
     * Opens an outbound link. Returns at once with the link in state CONNECTING; the link is reported
     * to the context when it is up, and again when it goes down (a failed connection goes down without
     * coming up). The link does not reconnect by itself: the node's contact manager decides when to
     * try again.
     *
     * @param address where the peer listens, in this layer's format (for the TCP-based ones "host:port")
     * @param parameters link options of this layer (for example "peer" = the peer's node ID where the
     *        layer does not learn it, "keepalive" seconds); unknown ones are refused
     * @throws IOException if the address is malformed or a parameter is unknown or invalid
     */
    Link connect(String address, Map<String, String> parameters) throws IOException;

    /**
     * What is wrong with the layer, for the operator (bp:status, bp:node): a refused configuration it
     * runs without, a listener it could not open. Empty while all is well.
     */
    default Optional<String> problem() {
        return Optional.empty();
    }
}
