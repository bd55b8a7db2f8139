package org.bpsockets.api.transport;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a transport tells the registry about its sockets. Socket ids are the transport's own and are
 * never reused while the session lasts.
 */
@ProviderType
public interface TransportSession extends AutoCloseable {

    /**
     * A socket is bound to an endpoint (again, after a resync: then it is an update). The registry opens
     * the endpoint on the active backend, if any.
     *
     * @param options the socket's options at that time, by SOL_BP name
     * @return the endpoint as the node serves it ({@code ipn:!.S} resolved to the node's number)
     * @throws BpException ADDRESS_IN_USE if another socket holds the endpoint, ADDRESS_NOT_AVAILABLE or
     *         INVALID_ARGUMENT if the node cannot serve it, or what the backend said when it refused it
     */
    EndpointId bind(long socketId, EndpointId endpoint, List<OptionValue> options) throws BpException;

    /** The socket is closed: its endpoint is released and its pending deliveries go back to the backend. */
    void release(long socketId);

    /**
     * Validates and sets a socket option.
     *
     * @throws BpException UNKNOWN_OPTION if no extension handles it, INVALID_ARGUMENT if the value is bad
     */
    void setOption(long socketId, OptionValue option) throws BpException;

    /**
     * The value of a socket option: what was set, or its default.
     *
     * @throws BpException UNKNOWN_OPTION if no extension handles it
     */
    ByteBuffer option(long socketId, int name) throws BpException;

    /**
     * Sends an ADU from a socket. The stage completes with the bundle's id once the backend accepted
     * it, or fails with a {@link BpException}.
     *
     * @param source the socket's endpoint when it sent; given explicitly because a send the transport
     *        kept across a node restart may arrive after its socket was closed
     * @param payload the ADU, handed over as in {@link org.bpsockets.api.bundle.SendRequest}: not changed by
     *        the caller afterwards
     * @param options every bundle option in force for this message, in order (later ones win): the
     *        socket's options at the time of the send, then the message's own
     */
    CompletionStage<BundleId> send(long socketId, EndpointId source, EndpointId destination, ByteBuffer payload,
            List<OptionValue> options);

    /** A socket that answered FULL has room again. */
    void drained(long socketId);

    /**
     * The complete list of this transport's bound sockets after a reconnect: sockets not listed are
     * released, the listed ones are bound (or updated). Returns the sockets whose bind failed, with why.
     */
    Map<Long, BpException> resync(Map<Long, BoundSocket> sockets);

    /** The local node's ID, if the active backend knows it. */
    Optional<EndpointId> localNode();

    /** The transport is gone: all its sockets are released. */
    @Override
    void close();
}
