package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportStatus;

/**
 * Sockets that live inside the node (for the shell and tools), served through the same registry paths
 * as kernel sockets: a bounded receive queue, FULL when it is full, drained when it empties to half.
 */
final class LocalTransport implements SocketTransport {

    /** Automatic binding picks {@code ipn:!.S} with S here; the kernel uses 65536..131071. */
    static final long AUTO_SERVICE_FIRST = 0x20000;
    static final long AUTO_SERVICE_LAST = 0x2FFFF;
    static final int RECEIVE_QUEUE = 256;

    private final SocketRegistryImpl registry;
    private final TransportSessionImpl session;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, LocalSocketImpl> sockets = new ConcurrentHashMap<>();

    LocalTransport(SocketRegistryImpl registry) {
        this.registry = registry;
        this.session = (TransportSessionImpl) registry.attach(this);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public TransportStatus status() {
        int n = sockets.size();
        return new TransportStatus(true, n + (n == 1 ? " shell socket" : " shell sockets"));
    }

    LocalSocket open(Optional<EndpointId> endpoint) throws BpException {
        LocalSocketImpl socket = new LocalSocketImpl(ids.incrementAndGet());
        sockets.put(socket.id, socket);
        if (endpoint.isPresent()) {
            try {
                socket.bound = session.bind(socket.id, endpoint.get(), List.of());
            } catch (BpException e) {
                sockets.remove(socket.id);
                throw e;
            }
        }
        return socket;
    }

    @Override
    public CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
        LocalSocketImpl socket = sockets.get(socketId);
        if (socket == null) {
            return CompletableFuture.completedFuture(DeliveryResult.GONE);
        }
        return CompletableFuture.completedFuture(socket.offer(bundle));
    }

    private final class LocalSocketImpl implements LocalSocket {
        final long id;
        final LinkedBlockingQueue<ReceivedBundle> received = new LinkedBlockingQueue<>(RECEIVE_QUEUE);
        volatile EndpointId bound;
        private volatile boolean refusedOne;

        LocalSocketImpl(long id) {
            this.id = id;
        }

        DeliveryResult offer(ReceivedBundle bundle) {
            if (received.offer(bundle)) {
                return DeliveryResult.ACCEPTED;
            }
            refusedOne = true;
            return DeliveryResult.FULL;
        }

        @Override
        public Optional<EndpointId> endpoint() {
            return Optional.ofNullable(bound);
        }

        @Override
        public CompletionStage<BundleId> send(EndpointId destination, byte[] payload, BundleOptions options) {
            try {
                EndpointId source = ensureBound();
                return registry.send(session, id, source, destination, ByteBuffer.wrap(payload.clone()), options);
            } catch (BpException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private synchronized EndpointId ensureBound() throws BpException {
            if (bound != null) {
                return bound;
            }
            for (long service = AUTO_SERVICE_FIRST; service <= AUTO_SERVICE_LAST; service++) {
                IpnEndpointId candidate = IpnEndpointId.localNode(service);
                if (!registry.isBound(candidate)) {
                    try {
                        bound = session.bind(id, candidate, List.of());
                        return bound;
                    } catch (BpException e) {
                        if (e.error() != BpError.ADDRESS_IN_USE) {
                            throw e;
                        }
                    }
                }
            }
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, "no free service for automatic binding");
        }

        @Override
        public Optional<ReceivedBundle> receive(Duration timeout) throws InterruptedException {
            ReceivedBundle bundle = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (bundle != null && refusedOne && received.size() <= RECEIVE_QUEUE / 2) {
                refusedOne = false;
                session.drained(id);
            }
            return Optional.ofNullable(bundle);
        }

        @Override
        public void close() {
            if (sockets.remove(id) != null) {
                session.release(id);
            }
        }
    }
}
