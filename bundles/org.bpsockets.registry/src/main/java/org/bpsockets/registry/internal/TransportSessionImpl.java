package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.transport.BoundSocket;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportSession;

/** A transport's session: every call names the session, so socket ids of two transports never mix. */
final class TransportSessionImpl implements TransportSession {
    private final SocketRegistryImpl registry;
    private final SocketTransport transport;
    final long sessionId;
    volatile boolean closed;

    TransportSessionImpl(SocketRegistryImpl registry, SocketTransport transport, long sessionId) {
        this.registry = registry;
        this.transport = transport;
        this.sessionId = sessionId;
    }

    SocketTransport transport() {
        return transport;
    }

    @Override
    public EndpointId bind(long socketId, EndpointId endpoint, List<OptionValue> options) throws BpException {
        return registry.bind(this, socketId, endpoint, options);
    }

    @Override
    public void release(long socketId) {
        registry.release(this, socketId);
    }

    @Override
    public void setOption(long socketId, OptionValue option) throws BpException {
        registry.setOption(this, socketId, option);
    }

    @Override
    public ByteBuffer option(long socketId, int name) throws BpException {
        return registry.option(this, socketId, name);
    }

    @Override
    public CompletionStage<BundleId> send(long socketId, EndpointId source, EndpointId destination,
            ByteBuffer payload, List<OptionValue> options) {
        return registry.send(this, socketId, source, destination, payload, options);
    }

    @Override
    public void drained(long socketId) {
        registry.drained(this, socketId);
    }

    @Override
    public Map<Long, BpException> resync(Map<Long, BoundSocket> sockets) {
        return registry.resync(this, sockets);
    }

    @Override
    public Optional<EndpointId> localNode() {
        return registry.localNode();
    }

    @Override
    public void close() {
        registry.detach(this);
    }
}
