package org.bpsockets.socket;

import java.io.IOException;

/** A failed AF_BP call, with the errno bp(7) documents for it. */
public final class BpSocketException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public BpSocketException(String call, int errno) {
        super(call + ": " + describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    private static String describe(int errno) {
        return switch (errno) {
            case 97 -> "AF_BP is not available: the bp kernel module is not loaded";
            case 100 -> "no BP node is registered with the kernel";
            case 92 -> "no extension of the node handles this option";
            case 98 -> "another socket is bound to this endpoint";
            case 99 -> "the endpoint is not one of this node's";
            case 22 -> "invalid argument";
            case 90 -> "the payload is larger than the node accepts";
            default -> "errno " + errno;
        };
    }
}
