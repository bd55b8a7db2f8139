package org.bpsockets.netlink.internal;

/** A message from the kernel that does not follow the protocol; it is skipped and counted. */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
