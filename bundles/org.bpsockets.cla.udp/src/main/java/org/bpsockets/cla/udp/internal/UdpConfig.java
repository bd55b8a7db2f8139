package org.bpsockets.cla.udp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = UdpLayer.PID, name = "BP Sockets UDP convergence layer",
        description = "One bundle per UDP datagram, no acknowledgement: a transmit is done once the datagram is "
                + "sent, and larger bundles fail at once (the node must fragment them). Defaults: socket on "
                + "127.0.0.1:4556 (IANA's UDP port for bundles) only; datagrams up to 65507 bytes, the IPv4 "
                + "limit (use ~1400 on real networks to avoid IP fragmentation); a peer first heard from becomes "
                + "an inbound link that goes down after 300 s of silence; per link at most 1024 bundles or 16 MiB "
                + "queued, and as many received ones awaiting the node (more are dropped, as UDP may); datagrams "
                + "paced per link at 4 MiB/s with bursts of at most 64 KiB, which a receiver with Linux's default "
                + "208 KB receive buffer survives (docs/decisions/0011). Invalid values are refused with a "
                + "warning naming the valid ones, and the layer keeps its last valid configuration.")
public @interface UdpConfig {

    @AttributeDefinition(name = "Listener address",
            description = "Address of the layer's socket; sending also uses it, so it must reach the peers. "
                    + "127.0.0.1 keeps the node off the network.")
    String listenAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Listener port", min = "0", max = "65535", description = "UDP port; 0 picks a free one.")
    int listenPort() default 4556;

    @AttributeDefinition(name = "Listener enabled",
            description = "If false the socket takes a free port and accepts datagrams only from peers of "
                    + "outbound links.")
    boolean listenEnabled() default true;

    @AttributeDefinition(name = "Datagram size", min = "1", max = "65527",
            description = "Largest bundle sent or accepted, bytes.")
    int maxDatagramSize() default 65507;

    @AttributeDefinition(name = "Queue limit", min = "1",
            description = "Bundles per link waiting to be sent, and received ones awaiting the node's verdict.")
    int queueLimit() default 1024;

    @AttributeDefinition(name = "Queue bytes", min = "1", description = "The same limit in bytes.")
    long queueBytes() default 16L << 20;

    @AttributeDefinition(name = "Idle timeout", min = "1",
            description = "Seconds after the last datagram before an inbound link goes down.")
    int idleTimeoutSeconds() default 300;

    @AttributeDefinition(name = "Peers", min = "1", description = "Most inbound links at once; datagrams from further "
            + "sources are dropped.")
    int maxPeers() default 256;

    @AttributeDefinition(name = "Socket buffers", min = "65536",
            description = "SO_RCVBUF and SO_SNDBUF of the socket, bytes: bursts beyond are lost by the kernel.")
    int socketBufferBytes() default 4 << 20;

    @AttributeDefinition(name = "Rate", min = "0",
            description = "Average bytes per second sent to each peer (UDP payload bytes; each datagram is "
                    + "charged its own length). 0 sends as fast as the socket takes them, which overruns "
                    + "receivers: Linux's default 208 KB receive buffer holds three 64 kB datagrams.")
    long rateBytesPerSecond() default 4L << 20;

    @AttributeDefinition(name = "Burst", min = "1",
            description = "Most bytes sent to one peer back to back, at least the datagram size so every "
                    + "datagram can go. The receiver's kernel charges a datagram up to twice its length "
                    + "(buffer overhead): keep the burst under half the peer's receive buffer.")
    int burstBytes() default 64 << 10;
}
