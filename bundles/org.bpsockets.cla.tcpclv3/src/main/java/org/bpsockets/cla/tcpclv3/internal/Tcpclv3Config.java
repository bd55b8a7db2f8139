package org.bpsockets.cla.tcpclv3.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = Tcpclv3Layer.PID, name = "BP Sockets TCPCLv3 convergence layer",
        description = "TCP convergence layer version 3 (RFC 7242), the one ION 4.1.3 and µD3TN v0.13.0 speak. "
                + "Defaults: listens on 127.0.0.1:4557 only (RFC 7242 names 4556, which TCPCLv4 holds here, so both "
                + "can listen at once); contact header asks for segment acknowledgements and allows refusals "
                + "(used only if the peer agrees; µD3TN never does); keepalive 15 s as ION proposes (0 from "
                + "either side disables keepalives and the idle timeout); bundles are always sent as one "
                + "segment, which is all µD3TN accepts; per link at most 1024 bundles or 64 MiB queued or "
                + "unacknowledged, each way.")
public @interface Tcpclv3Config {

    @AttributeDefinition(name = "Listener address",
            description = "Address to accept connections on; 127.0.0.1 keeps the node off the network.")
    String listenAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Listener port", min = "0", max = "65535", description = "TCP port; 0 picks a free one.")
    int listenPort() default 4557;

    @AttributeDefinition(name = "Listener enabled", description = "If false, only outbound links are made.")
    boolean listenEnabled() default true;

    @AttributeDefinition(name = "Keepalive", min = "0", max = "65535",
            description = "Seconds in the contact header; the smaller non-zero one of both is used, 0 disables.")
    int keepaliveSeconds() default 15;

    @AttributeDefinition(name = "Request acknowledgements",
            description = "Ask for ACK_SEGMENTs: a transmit then succeeds only once the peer acknowledged all of it.")
    boolean requestAcks() default true;

    @AttributeDefinition(name = "Allow refusals",
            description = "Offer REFUSE_BUNDLE (needs acknowledgements): the node's refusals reach the peer.")
    boolean allowRefusal() default true;

    @AttributeDefinition(name = "Queue limit", min = "1",
            description = "Bundles per link queued or awaiting an ack (transmit returns false beyond), and "
                    + "received bundles awaiting the node's verdict (reading pauses beyond).")
    int queueLimit() default 1024;

    @AttributeDefinition(name = "Queue bytes", min = "1", description = "The same limit in bytes.")
    long queueBytes() default 64L << 20;

    @AttributeDefinition(name = "Inbound sessions", min = "1",
            description = "Most connections accepted at once; further ones are closed at once.")
    int maxInboundSessions() default 64;

    @AttributeDefinition(name = "Connect timeout", min = "1", description = "Seconds to open a TCP connection.")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Handshake timeout", min = "1", description = "Seconds to receive the contact header.")
    int handshakeTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Close timeout", min = "1",
            description = "Seconds a closing link waits for outstanding acknowledgements before SHUTDOWN.")
    int closeTimeoutSeconds() default 5;
}
