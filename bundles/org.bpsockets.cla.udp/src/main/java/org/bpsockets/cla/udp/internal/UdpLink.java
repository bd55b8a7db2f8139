package org.bpsockets.cla.udp.internal;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.AbstractLink;
import org.bpsockets.cla.common.Addresses;
import org.bpsockets.cla.common.Transfer;
import org.bpsockets.node.api.cla.ClaContext;

/** A peer address: outbound when the node asked for it, inbound when its datagrams came first. */
final class UdpLink extends AbstractLink {
    private final UdpLayer layer;
    volatile InetSocketAddress address;
    volatile long lastHeard = System.nanoTime();
    // Guarded by layer.receiveLock.
    int unresolved;
    long unresolvedBytes;
    // Guarded by the layer's sendLock.
    final ArrayDeque<Transfer> queue = new ArrayDeque<>();
    boolean scheduled;
    final TokenBucket bucket;
    /** Whether the datagram at the head of the queue had to wait for the bucket. */
    boolean headWaited;
    /** Datagrams that waited for the bucket before they went. */
    long pacedDatagrams;

    UdpLink(UdpLayer layer, ClaContext context, String id, InetSocketAddress address, boolean outbound,
            EndpointId peer) {
        super(context, id, UdpLayer.NAME, Addresses.format(address), outbound, layer.config.queueLimit(),
                layer.config.queueBytes());
        this.layer = layer;
        this.address = address;
        peerNodeId(peer);
        maxBundleSize(layer.config.maxDatagramSize());
        bucket = new TokenBucket(layer.config.rateBytesPerSecond(), layer.config.burstBytes(), System.nanoTime());
    }

    @Override
    protected boolean enqueue(Transfer t) {
        return layer.enqueue(this, t);
    }

    @Override
    public void close() {
        layer.remove(this, "closed by the node");
    }

    void up(InetSocketAddress resolved) {
        address = resolved;
        remoteAddress(Addresses.format(resolved));
        reportUp();
    }

    void down(String reason) {
        reportDown(reason);
    }
}
