package org.bpsockets.api.transport;

import java.util.Objects;

/**
 * @param connected true if the transport reaches its sockets (the kernel module is loaded and the node
 *        registered with it)
 * @param detail what a person should know, e.g. "kernel module not loaded (family bp absent)"
 */
public record TransportStatus(boolean connected, String detail) {

    public TransportStatus {
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return (connected ? "connected" : "not connected") + (detail.isEmpty() ? "" : ": " + detail);
    }
}
