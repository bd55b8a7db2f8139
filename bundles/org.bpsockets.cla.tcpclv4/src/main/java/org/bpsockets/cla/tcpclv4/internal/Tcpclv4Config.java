package org.bpsockets.cla.tcpclv4.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = Tcpclv4Layer.PID, name = "BP Sockets TCPCLv4 convergence layer",
        description = "TCP convergence layer version 4 (RFC 9174). Defaults: listens on 127.0.0.1:4556 (the IANA "
                + "port), so nothing is reachable beyond loopback until listenAddress is set; keepalive 60 s "
                + "(the peer is dropped after twice the negotiated interval of silence); segment MRU 4 MiB; "
                + "transfer MRU 64 MiB (never above the node's largest bundle); per link at most 1024 bundles or "
                + "64 MiB queued or unacknowledged, each way; TLS off. TLS: set tlsEnabled plus a keystore with "
                + "this node's key and certificate chain and a truststore with the CAs (or peer certificates) "
                + "to trust; TLS 1.3 or 1.2 then starts after the contact headers whenever the peer can too, "
                + "and tlsRequired ends sessions with peers that cannot.")
public @interface Tcpclv4Config {

    @AttributeDefinition(name = "Listener address",
            description = "Address to accept sessions on; 127.0.0.1 keeps the node off the network. Give an "
                    + "interface address (or the wildcard explicitly) to accept peers from elsewhere.")
    String listenAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Listener port", min = "0", max = "65535",
            description = "TCP port; 4556 is IANA's for TCPCL. 0 picks a free port.")
    int listenPort() default 4556;

    @AttributeDefinition(name = "Listener enabled", description = "If false, only outbound links are made.")
    boolean listenEnabled() default true;

    @AttributeDefinition(name = "Keepalive", min = "0", max = "65535",
            description = "Seconds proposed in SESS_INIT; the session uses the smaller of both proposals; 0 = "
                    + "no keepalives and no idle timeout. RFC 9174 suggests 30..600 on shared networks.")
    int keepaliveSeconds() default 60;

    @AttributeDefinition(name = "Segment MRU", min = "1",
            description = "Largest segment accepted, and largest sent (further capped by the peer's MRU), bytes.")
    long segmentMru() default 4L << 20;

    @AttributeDefinition(name = "Transfer MRU", min = "1",
            description = "Largest bundle accepted, bytes; capped by the node's largest bundle.")
    long transferMru() default 64L << 20;

    @AttributeDefinition(name = "Queue limit", min = "1",
            description = "Bundles per link queued or awaiting an ack (transmit returns false beyond), and "
                    + "received bundles awaiting the node's verdict (reading pauses beyond).")
    int queueLimit() default 1024;

    @AttributeDefinition(name = "Queue bytes", min = "1", description = "The same limit in bytes.")
    long queueBytes() default 64L << 20;

    @AttributeDefinition(name = "Inbound sessions", min = "1",
            description = "Most sessions accepted at once; further connections are closed at once.")
    int maxInboundSessions() default 64;

    @AttributeDefinition(name = "Connect timeout", min = "1", description = "Seconds to open a TCP connection.")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Handshake timeout", min = "1", max = "60",
            description = "Seconds for contact headers, TLS and SESS_INIT (RFC 9174: at most 60).")
    int handshakeTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Close timeout", min = "1",
            description = "Seconds a closing session waits for the peer's SESS_TERM reply and outstanding acks.")
    int closeTimeoutSeconds() default 5;

    @AttributeDefinition(name = "TLS enabled", description = "Sets CAN_TLS; needs the keystore below.")
    boolean tlsEnabled() default false;

    @AttributeDefinition(name = "TLS required",
            description = "End sessions (Contact Failure) with peers that do not offer TLS.")
    boolean tlsRequired() default false;

    @AttributeDefinition(name = "Keystore", description = "Path of the keystore with this node's key and certificate.")
    String tlsKeyStore() default "";

    @AttributeDefinition(name = "Keystore type", description = "PKCS12 or JKS.")
    String tlsKeyStoreType() default "PKCS12";

    @AttributeDefinition(name = "Keystore password", type = AttributeType.PASSWORD)
    String tlsKeyStorePassword() default "";

    @AttributeDefinition(name = "Truststore",
            description = "Path of the keystore with the trusted CA or peer certificates. Empty: the JDK's CAs.")
    String tlsTrustStore() default "";

    @AttributeDefinition(name = "Truststore type", description = "PKCS12 or JKS.")
    String tlsTrustStoreType() default "PKCS12";

    @AttributeDefinition(name = "Truststore password", type = AttributeType.PASSWORD)
    String tlsTrustStorePassword() default "";

    @AttributeDefinition(name = "Require client certificates",
            description = "As the passive side, require the active peer's certificate (mutual authentication).")
    boolean tlsRequireClientCertificate() default true;
}
