package org.bpsockets.api.transport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of sockets, as the registry sees it: the kernel module (through Netlink), the shell's local
 * sockets, a test. It knows how to hand an ADU to one of its sockets; everything else it tells the
 * registry through its {@link TransportSession}.
 */
@ConsumerType
public interface SocketTransport {

    /** A short name for people and the shell: "kernel", "local". */
    String name();

    /** Whether it is connected to its sockets, and what a person should know about it. */
    TransportStatus status();

    /**
     * Hands a received ADU to a socket. The stage completes with {@link DeliveryResult#ACCEPTED} once
     * the socket has it queued, {@link DeliveryResult#FULL} if the socket has no room now (the registry
     * keeps the ADU and tries again after {@link TransportSession#drained(long)}), or
     * {@link DeliveryResult#GONE} if the socket no longer exists. Once a socket answered FULL, every
     * later delivery to it answers FULL until it drained, so the order of ADUs is kept.
     */
    CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle);

    /**
     * Hands a bundle status report that arrived at a socket's endpoint to the socket. ACCEPTED once the
     * socket has it; FULL if it has no room; GONE if the socket no longer exists or does not read status
     * reports. Reports are advisory (RFC 9171): the registry does not keep a refused one. The default
     * takes none.
     */
    default CompletionStage<DeliveryResult> deliverStatus(long socketId, BundleStatus status) {
        return CompletableFuture.completedFuture(DeliveryResult.GONE);
    }

    /**
     * Tells a socket that a send it made earlier failed after it was accepted for sending (the backend
     * went away, or refused it later). The default does nothing.
     *
     * @param sendId the transport's identifier of that send
     */
    default void sendFailed(long socketId, long sendId, BpException error) {
    }

    /**
     * The node gained or lost a backend that carries bundles; a transport may tell its sockets so they
     * fail sends at once while there is none. Called once at attach with the current state. The
     * default does nothing.
     */
    default void backendAvailable(boolean available) {
    }
}
