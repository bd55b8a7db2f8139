package org.bpsockets.api.bundle;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;

/**
 * One application data unit to be sent as a bundle.
 *
 * @param destination where the bundle goes; never the null endpoint
 * @param source the sending endpoint (the socket's bound EID); the null endpoint sends anonymously
 * @param payload the ADU, position 0, may be empty; handed over: the caller does not change its bytes after
 *        making the request, and the backend may keep them (a buffer over an array is then sent without a
 *        copy of its payload, issue 18) but never writes them. A read-only buffer is copied by whoever
 *        needs to keep it.
 * @param options bundle options; {@link BundleOptions#DEFAULTS} when the application set none
 */
public record SendRequest(EndpointId destination, EndpointId source, ByteBuffer payload, BundleOptions options) {

    public SendRequest {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(options, "options");
        if (destination.isNull()) {
            throw new IllegalArgumentException("destination cannot be the null endpoint " + destination);
        }
        payload = payload.slice();
    }

    public static SendRequest of(EndpointId destination, EndpointId source, byte[] payload) {
        return new SendRequest(destination, source, ByteBuffer.wrap(payload), BundleOptions.DEFAULTS);
    }

    /** A copy of the payload bytes. */
    public byte[] payloadBytes() {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return bytes;
    }

    public SendRequest withOptions(BundleOptions newOptions) {
        return new SendRequest(destination, source, payload, newOptions);
    }
}
