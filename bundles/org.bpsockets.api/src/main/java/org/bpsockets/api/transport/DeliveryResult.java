package org.bpsockets.api.transport;

/** What a socket did with a delivery. */
public enum DeliveryResult {
    /** Queued on the socket: the backend may be told the application has it. */
    ACCEPTED,
    /** The socket is full: try again after it drained. */
    FULL,
    /** The socket no longer exists. */
    GONE
}
