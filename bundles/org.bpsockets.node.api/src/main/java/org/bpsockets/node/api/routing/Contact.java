package org.bpsockets.node.api.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduled contact: a configured link is usable from {@code start} to {@code end} at up to
 * {@code rateBytesPerSecond} (0: unlimited). The node opens the link when the contact starts and
 * closes it when it ends; bundles routed over the link wait for it.
 */
public record Contact(String name, String linkName, Instant start, Instant end, long rateBytesPerSecond) {

    public Contact {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(linkName, "linkName");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("contact '" + name + "' ends (" + end + ") before it starts (" + start + ")");
        }
        if (rateBytesPerSecond < 0) {
            throw new IllegalArgumentException("contact '" + name + "' has a negative rate " + rateBytesPerSecond);
        }
    }

    public boolean isOpenAt(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }
}
