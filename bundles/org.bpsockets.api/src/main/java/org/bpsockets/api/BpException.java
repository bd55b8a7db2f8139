package org.bpsockets.api;

import java.util.Objects;

/** A failed operation with its {@link BpError} and a message for people. */
public class BpException extends Exception {
    private static final long serialVersionUID = 1L;

    private final BpError error;

    public BpException(BpError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public BpException(BpError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public BpError error() {
        return error;
    }

    @Override
    public String toString() {
        return error + ": " + getMessage();
    }
}
