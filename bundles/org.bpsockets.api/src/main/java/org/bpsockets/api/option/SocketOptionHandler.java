package org.bpsockets.api.option;

import java.nio.ByteBuffer;
import java.util.Set;

import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Interprets some SOL_BP socket options: validates their values and applies them to the bundle options
 * of a send. Extensions publish handlers as services; the registry finds the handler of an option by
 * name when a socket sets it, and again at every send, so installing an extension makes its options
 * available to sockets already open, and removing it makes those options fail cleanly.
 *
 * <p>Values are the raw bytes the application passed (host byte order, as in setsockopt).
 */
@ConsumerType
public interface SocketOptionHandler {

    /** The SOL_BP option names this handler interprets. */
    Set<Integer> names();

    /**
     * Checks a value.
     *
     * @throws BpException INVALID_ARGUMENT with a message that names the problem
     */
    void validate(int name, ByteBuffer value) throws BpException;

    /** Applies a validated value to the options of a bundle being built. */
    void apply(int name, ByteBuffer value, BundleOptions.Builder options);

    /** The value in effect when the application set none. */
    ByteBuffer defaultValue(int name);
}
