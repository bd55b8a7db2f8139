package org.bpsockets.api.transport;

import java.util.List;
import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;

/** A socket as a transport reports it on resync: its endpoint and its options. */
public record BoundSocket(EndpointId endpoint, List<OptionValue> options) {

    public BoundSocket {
        Objects.requireNonNull(endpoint, "endpoint");
        options = List.copyOf(options);
    }
}
