package org.bpsockets.cla.common;

import java.io.IOException;

/**
 * The peer broke the protocol. Carries what the layer sends before closing (a protocol reason code,
 * or -1 for none) and the counter it is recorded under.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final int code;

    /**
     * @param kind the problem counter, e.g. "bad-magic", "oversize"
     * @param code what the protocol sends about it (its own meaning per layer), -1 if nothing
     */
    public ProtocolException(String kind, int code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public String kind() {
        return kind;
    }

    public int code() {
        return code;
    }
}
