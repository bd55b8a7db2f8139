package org.example.bpsockets.minutes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Set;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.option.SocketOptionHandler;
import org.osgi.service.component.annotations.Component;

/**
 * A third party's SOL_BP option: {@code EXAMPLE_LIFETIME_MIN} (100), an {@code int} of whole minutes,
 * 1..10080 (a week), that sets the lifetime of the bundles a socket sends. It only spells differently
 * what {@code BP_LIFETIME_MS} already offers, which makes it harmless and easy to observe: the
 * lifetime of the bundle that arrives.
 *
 * <p>Being a {@link Component}, it is published as a {@link SocketOptionHandler} service as soon as
 * the bundle starts; the node's registry picks it up then, for sockets already open too, and drops it
 * when the bundle stops.
 */
@Component
public final class LifetimeInMinutes implements SocketOptionHandler {

    /** The option's name: SOL_BP names 1..127 reach the node; the node's own use 1..9. */
    public static final int EXAMPLE_LIFETIME_MIN = 100;
    static final int MAX_MINUTES = 7 * 24 * 60;
    /** The node's default lifetime, in minutes. */
    static final int DEFAULT_MINUTES = (int) BundleOptions.DEFAULT_LIFETIME.toMinutes();

    @Override
    public Set<Integer> names() {
        return Set.of(EXAMPLE_LIFETIME_MIN);
    }

    @Override
    public void validate(int name, ByteBuffer value) throws BpException {
        if (value.remaining() != 4) {
            throw new BpException(BpError.INVALID_ARGUMENT,
                    "EXAMPLE_LIFETIME_MIN takes an int (4 bytes), got " + value.remaining() + " bytes");
        }
        int minutes = minutes(value);
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new BpException(BpError.INVALID_ARGUMENT,
                    "EXAMPLE_LIFETIME_MIN must be 1.." + MAX_MINUTES + " minutes, was " + minutes);
        }
    }

    @Override
    public void apply(int name, ByteBuffer value, BundleOptions.Builder options) {
        options.lifetime(Duration.ofMinutes(minutes(value)));
    }

    @Override
    public ByteBuffer defaultValue(int name) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, DEFAULT_MINUTES);
    }

    /** Values are in host byte order, as the application passed them to setsockopt. */
    private static int minutes(ByteBuffer value) {
        return value.duplicate().order(ByteOrder.nativeOrder()).getInt(value.position());
    }
}
