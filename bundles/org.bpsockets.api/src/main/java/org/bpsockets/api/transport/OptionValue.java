package org.bpsockets.api.transport;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A socket option as a socket carries it: its SOL_BP name and its raw value bytes, exactly as the
 * application passed them to setsockopt or in a control message.
 */
public record OptionValue(int name, ByteBuffer value) {

    public OptionValue {
        Objects.requireNonNull(value, "value");
        value = value.asReadOnlyBuffer();
    }

    public static OptionValue of(int name, byte[] value) {
        return new OptionValue(name, ByteBuffer.wrap(value));
    }

    public byte[] valueBytes() {
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        return bytes;
    }
}
