package org.bpsockets.backend.embedded.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;
import org.bpsockets.node.api.cla.TransmitCallback;

/**
 * A convergence layer for tests: links between nodes of one JVM, by address. A transmitted bundle is
 * handed to the peer node's context and reported transmitted when the peer's receipt accepts it, as
 * TCPCLv4 does with its final acknowledgement.
 */
final class PipeLayer implements ConvergenceLayer {
    private static final Map<String, PipeLayer> LISTENERS = new ConcurrentHashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ClaContext node;
    private final String address;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pipe-io");
        t.setDaemon(true);
        return t;
    });
    volatile long maxBundleSize = Long.MAX_VALUE;
    /** The links this layer opened, for tests. */
    final List<PipeLink> opened = new CopyOnWriteArrayList<>();

    PipeLayer(ClaContext node, String address) {
        this.node = node;
        this.address = address;
        LISTENERS.put(address, this);
    }

    @Override
    public String name() {
        return "pipe";
    }

    @Override
    public Link connect(String peerAddress, Map<String, String> parameters) throws IOException {
        PipeLayer peer = LISTENERS.get(peerAddress);
        if (peer == null) {
            throw new IOException("nobody listens at " + peerAddress);
        }
        PipeLink mine = new PipeLink(this, peerAddress, true);
        PipeLink theirs = new PipeLink(peer, address, false);
        mine.peer = theirs;
        theirs.peer = mine;
        opened.add(mine);
        io.execute(() -> {
            mine.state = LinkState.UP;
            theirs.state = LinkState.UP;
            peer.node.linkUp(theirs);
            node.linkUp(mine);
        });
        return mine;
    }

    void unregister() {
        LISTENERS.remove(address, this);
    }

    static final class PipeLink implements Link {
        final PipeLayer layer;
        final String id = "pipe-" + IDS.incrementAndGet();
        final String remote;
        final boolean outbound;
        volatile PipeLink peer;
        volatile LinkState state = LinkState.CONNECTING;
        /** The arrays of the parts of every bundle transmitted in more than one part, for tests. */
        final List<List<byte[]>> partArrays = new CopyOnWriteArrayList<>();

        PipeLink(PipeLayer layer, String remote, boolean outbound) {
            this.layer = layer;
            this.remote = remote;
            this.outbound = outbound;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String convergenceLayer() {
            return "pipe";
        }

        @Override
        public String remoteAddress() {
            return remote;
        }

        @Override
        public boolean outbound() {
            return outbound;
        }

        @Override
        public LinkState state() {
            return state;
        }

        @Override
        public Optional<EndpointId> peerNodeId() {
            return Optional.of(peer.layer.node.localNodeId());
        }

        @Override
        public long maxBundleSize() {
            return layer.maxBundleSize;
        }

        @Override
        public boolean transmit(ByteBuffer[] parts, TransmitCallback callback) {
            if (parts.length > 1 && state == LinkState.UP) {
                partArrays.add(java.util.Arrays.stream(parts).map(p -> p.hasArray() ? p.array() : null).toList());
            }
            return Link.super.transmit(parts, callback);
        }

        @Override
        public boolean transmit(ByteBuffer bundle, TransmitCallback callback) {
            if (state != LinkState.UP) {
                return false;
            }
            ByteBuffer copy = ByteBuffer.allocate(bundle.remaining()).put(bundle.duplicate()).flip();
            PipeLink to = peer;
            to.layer.io.execute(() -> to.layer.node.received(to, copy, new Receipt() {
                @Override
                public void accepted() {
                    callback.transmitted();
                }

                @Override
                public void refused(RefusalReason reason) {
                    callback.failed("refused: " + reason);
                }
            }));
            return true;
        }

        @Override
        public void close() {
            if (state == LinkState.DOWN) {
                return;
            }
            state = LinkState.DOWN;
            PipeLink p = peer;
            layer.io.execute(() -> layer.node.linkDown(this, "closed"));
            if (p.state != LinkState.DOWN) {
                p.state = LinkState.DOWN;
                p.layer.io.execute(() -> p.layer.node.linkDown(p, "peer closed"));
            }
        }
    }
}
