package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.option.SocketOptionHandler;
import org.bpsockets.api.transport.OptionValue;

/**
 * The socket option handlers present now, by option name. Looked up at every use, so an extension
 * installed later serves sockets already open, and one removed makes its options fail cleanly.
 */
final class OptionHandlers {
    private final Map<Integer, SocketOptionHandler> byName = new ConcurrentHashMap<>();

    void add(SocketOptionHandler handler) {
        for (Integer name : handler.names()) {
            byName.put(name, handler);
        }
    }

    void remove(SocketOptionHandler handler) {
        byName.values().removeIf(h -> h == handler);
    }

    SocketOptionHandler handler(int name) throws BpException {
        SocketOptionHandler handler = byName.get(name);
        if (handler == null) {
            throw new BpException(BpError.UNKNOWN_OPTION, "no installed extension handles SOL_BP option " + name);
        }
        return handler;
    }

    void validate(OptionValue option) throws BpException {
        handler(option.name()).validate(option.name(), option.value().duplicate());
    }

    ByteBuffer defaultValue(int name) throws BpException {
        return handler(name).defaultValue(name).asReadOnlyBuffer();
    }

    /** Applies the options in order (later ones win) to the defaults. */
    BundleOptions resolve(List<OptionValue> options) throws BpException {
        if (options.isEmpty()) {
            return BundleOptions.DEFAULTS;
        }
        BundleOptions.Builder builder = BundleOptions.builder();
        for (OptionValue option : options) {
            SocketOptionHandler handler = handler(option.name());
            handler.validate(option.name(), option.value().duplicate());
            try {
                handler.apply(option.name(), option.value().duplicate(), builder);
            } catch (IllegalArgumentException e) {
                throw new BpException(BpError.INVALID_ARGUMENT, e.getMessage(), e);
            }
        }
        return builder.build();
    }
}
