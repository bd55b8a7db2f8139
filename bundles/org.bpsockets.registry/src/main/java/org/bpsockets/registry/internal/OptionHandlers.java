package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
    /** Option names whose handler left and none replaced it yet: since when (System.nanoTime). */
    private final Map<Integer, Long> goneSince = new ConcurrentHashMap<>();
    /** For those: the bundle that had provided the handler, when known. */
    private final Map<Integer, Long> goneFrom = new ConcurrentHashMap<>();
    /** Completed at the next handler to come; then replaced. */
    private CompletableFuture<Void> nextAdded = new CompletableFuture<>();

    /**
     * Adds a handler for its option names; the latest handler of a name serves it.
     *
     * @return the names another handler present served until now (two extensions claiming one
     *     option: the caller says so, since only one of them will see the option)
     */
    Map<Integer, SocketOptionHandler> add(SocketOptionHandler handler) {
        CompletableFuture<Void> added;
        Map<Integer, SocketOptionHandler> taken = new java.util.TreeMap<>();
        synchronized (this) {
            for (Integer name : handler.names()) {
                SocketOptionHandler before = byName.put(name, handler);
                if (before != null && before != handler) {
                    taken.put(name, before);
                }
                goneSince.remove(name);
                goneFrom.remove(name);
            }
            added = nextAdded;
            nextAdded = new CompletableFuture<>();
        }
        added.complete(null);
        return taken;
    }

    /**
     * The bundle that provided handlers that left was uninstalled: it will not come back, so sends that
     * wait for its options fail now, and later ones at once.
     */
    void forgetBundle(long bundleId) {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            boolean any = goneFrom.values().removeIf(id -> id == bundleId);
            if (!any) {
                return;
            }
            goneSince.keySet().removeIf(name -> !goneFrom.containsKey(name));
            waiting = nextAdded;
            nextAdded = new CompletableFuture<>();
        }
        waiting.complete(null);
    }

    synchronized void remove(SocketOptionHandler handler) {
        long now = System.nanoTime();
        org.osgi.framework.Bundle from = org.osgi.framework.FrameworkUtil.getBundle(handler.getClass());
        for (Integer name : handler.names()) {
            if (byName.remove(name, handler)) {
                goneSince.put(name, now);
                if (from != null) {
                    goneFrom.put(name, from.getBundleId());
                }
            }
        }
    }

    /**
     * While an extension is replaced (updated, refreshed, its feature reinstalled), its options have no
     * handler for a moment: completes when the next handler comes, or after the rest of {@code seconds}
     * since an option among these lost its handler; null at once if none did within that time. Already
     * complete if every one of them has a handler again: the replacement came between the caller's failed
     * resolve and this call (the VM suite's swap of the options extension once lost a send that way).
     */
    synchronized CompletableFuture<Void> awaitReplacement(List<OptionValue> options, int seconds) {
        if (!options.isEmpty() && options.stream().allMatch(o -> byName.containsKey(o.name()))) {
            return CompletableFuture.completedFuture(null);
        }
        long now = System.nanoTime();
        long latest = Long.MIN_VALUE;
        boolean any = false;
        for (OptionValue o : options) {
            Long since = byName.containsKey(o.name()) ? null : goneSince.get(o.name());
            if (since != null && (!any || since - latest > 0)) {
                latest = since;
                any = true;
            }
        }
        long left = any ? seconds * 1_000_000_000L - (now - latest) : 0;
        if (left <= 0) {
            return null;
        }
        return nextAdded.copy().completeOnTimeout(null, left, TimeUnit.NANOSECONDS);
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
