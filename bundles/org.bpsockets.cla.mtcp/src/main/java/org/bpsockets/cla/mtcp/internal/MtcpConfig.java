package org.bpsockets.cla.mtcp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = MtcpLayer.PID, name = "BP Sockets MTCP convergence layer",
        description = "Minimal TCP convergence layer (draft-ietf-dtn-mtcpcl), as µD3TN speaks it: each bundle is "
                + "one CBOR byte string on a TCP connection, with no handshake, acknowledgement or keepalive, so "
                + "a transmit counts as done once written to the socket. Defaults: listens on 127.0.0.1:4224 "
                + "(µD3TN's MTCP port) only; no idle timeout (TCP keepalive probes find dead peers); per link "
                + "at most 1024 bundles or 64 MiB queued, each way.")
public @interface MtcpConfig {

    @AttributeDefinition(name = "Listener address",
            description = "Address to accept connections on; 127.0.0.1 keeps the node off the network.")
    String listenAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Listener port", min = "0", max = "65535", description = "TCP port; 0 picks a free one.")
    int listenPort() default 4224;

    @AttributeDefinition(name = "Listener enabled", description = "If false, only outbound links are made.")
    boolean listenEnabled() default true;

    @AttributeDefinition(name = "Idle timeout", min = "0",
            description = "Seconds without a byte after which a connection is closed; 0 = never. MTCP has no "
                    + "keepalive message, so a non-zero value also drops quiet but healthy peers.")
    int idleTimeoutSeconds() default 0;

    @AttributeDefinition(name = "Queue limit", min = "1",
            description = "Bundles per link queued for writing (transmit returns false beyond), and received "
                    + "bundles awaiting the node's verdict (reading pauses beyond).")
    int queueLimit() default 1024;

    @AttributeDefinition(name = "Queue bytes", min = "1", description = "The same limit in bytes.")
    long queueBytes() default 64L << 20;

    @AttributeDefinition(name = "Inbound connections", min = "1",
            description = "Most connections accepted at once; further ones are closed at once.")
    int maxInboundSessions() default 64;

    @AttributeDefinition(name = "Connect timeout", min = "1", description = "Seconds to open a TCP connection.")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Close timeout", min = "1",
            description = "Seconds a closing link waits for the peer to close its side after ours.")
    int closeTimeoutSeconds() default 2;
}
