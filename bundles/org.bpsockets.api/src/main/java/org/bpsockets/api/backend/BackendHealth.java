package org.bpsockets.api.backend;

import java.util.Objects;

/**
 * Whether a backend can carry bundles now.
 *
 * @param state UP, DEGRADED (works, with a problem worth showing) or DOWN
 * @param detail what a person should know, e.g. "ION is not running (bp_attach failed)"
 */
public record BackendHealth(State state, String detail) {

    public enum State {
        UP,
        DEGRADED,
        DOWN
    }

    public BackendHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
    }

    public static BackendHealth up(String detail) {
        return new BackendHealth(State.UP, detail);
    }

    public static BackendHealth down(String detail) {
        return new BackendHealth(State.DOWN, detail);
    }

    public boolean isUsable() {
        return state != State.DOWN;
    }

    @Override
    public String toString() {
        return state + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
