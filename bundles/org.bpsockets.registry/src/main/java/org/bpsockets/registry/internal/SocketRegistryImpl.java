package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.option.SocketOptionHandler;
import org.bpsockets.api.registry.BackendInfo;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.NodeStatus;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;
import org.bpsockets.api.transport.BoundSocket;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.SocketService;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportSession;
import org.bpsockets.bpv7.MalformedBundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket-state registry: the one place that knows every socket the node serves, its endpoint,
 * options, counters and the deliveries on their way to it, and which backend carries its bundles.
 *
 * <p>Two locks: {@code lock} guards the state and is never held while calling a backend or a
 * transport; {@code moveLock} serialises the moves of all endpoints from one backend to another.
 */
@Component(service = {SocketRegistry.class, SocketService.class}, configurationPid = "org.bpsockets.registry")
@Designate(ocd = RegistryConfig.class)
public final class SocketRegistryImpl implements SocketRegistry, SocketService {

    private static final Logger LOG = LoggerFactory.getLogger(SocketRegistryImpl.class);
    private static final Comparator<SocketState> SOCKET_ORDER = Comparator
            .comparing((SocketState s) -> s.session.transport().name()).thenComparingLong(s -> s.id);

    private final Object lock = new Object();
    private final ReentrantLock moveLock = new ReentrantLock();
    private final AtomicLong sessionIds = new AtomicLong();
    private final OptionHandlers optionHandlers = new OptionHandlers();
    private final LocalTransport localTransport;

    // Guarded by lock.
    private final Map<Long, Map<Long, SocketState>> socketsBySession = new HashMap<>();
    /**
     * The sockets holding each endpoint, not released: what bind checks, so that a bind costs the same
     * with 10,000 sockets bound as with one (it walked them all). Usually one socket; more only when
     * {@code ipn:!.S} and {@code ipn:N.S} became the same endpoint as a backend named its node.
     */
    private final Map<EndpointId, List<SocketState>> byEndpoint = new HashMap<>();
    private final List<TransportSessionImpl> sessions = new ArrayList<>();
    private final List<BackendEntry> backends = new ArrayList<>();
    private Backend active;
    /** Completed with the next backend to become active, while none is; then replaced. */
    private CompletableFuture<Backend> backendArrives = new CompletableFuture<>();
    /** When the last active backend left without a successor (System.nanoTime), if one did. */
    private long backendLeftNanos;
    private boolean backendLeft;
    private volatile RegistryConfig config;

    private record BackendEntry(Backend backend, int ranking, long serviceId) {
    }

    /** Tries again the endpoints the active backend could not open: its node may come up later. */
    private final java.util.concurrent.ScheduledExecutorService reopener =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bp-registry-reopen");
                t.setDaemon(true);
                return t;
            });

    /**
     * Hands deliveries back to their backend, a moment later and on a thread of the registry's own: a
     * backend that offers a released delivery again at once, from the thread that releases it, to a
     * registration whose close it has not processed yet (the embedded node queues closes behind its
     * other work) would otherwise call the registry and be called back without end.
     */
    private final java.util.concurrent.ScheduledExecutorService releaser =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bp-registry-release");
                t.setDaemon(true);
                return t;
            });
    private static final long RELEASE_DELAY_MILLIS = 10;

    /** Tells the option handlers when a bundle that provided some is uninstalled (null outside OSGi). */
    private final org.osgi.framework.BundleContext context;
    private final org.osgi.framework.SynchronousBundleListener uninstalls = event -> {
        if (event.getType() == org.osgi.framework.BundleEvent.UNINSTALLED) {
            optionHandlers.forgetBundle(event.getBundle().getBundleId());
        }
    };

    @Activate
    public SocketRegistryImpl(RegistryConfig config) {
        this.config = config;
        org.osgi.framework.Bundle self = org.osgi.framework.FrameworkUtil.getBundle(SocketRegistryImpl.class);
        this.context = self == null ? null : self.getBundleContext();
        if (context != null) {
            context.addBundleListener(uninstalls);
        }
        // A registry that starts may replace one that had a backend (an update, a refresh of the API):
        // the sends the kernel passes again to the node wait for the backend as during a swap.
        this.backendLeft = true;
        this.backendLeftNanos = System.nanoTime();
        this.localTransport = new LocalTransport(this);
        scheduleReopen();
    }

    private void scheduleReopen() {
        try {
            reopener.schedule(() -> {
                try {
                    reopenFailed();
                } finally {
                    scheduleReopen();
                }
            }, Math.max(1, config.reopenSeconds()), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // deactivated
        }
    }

    private void reopenFailed() {
        if (!moveLock.tryLock()) {
            return;
        }
        try {
            Backend backend;
            List<SocketState> failed = new ArrayList<>();
            synchronized (lock) {
                backend = active;
                if (backend == null) {
                    return;
                }
                for (SocketState s : boundSockets()) {
                    if (s.registration == null && s.sink == null && s.registrationProblem != null) {
                        failed.add(s);
                    }
                }
            }
            for (SocketState s : failed) {
                try {
                    open(s, backend);
                    LOG.info("Endpoint {} opened on backend '{}'", s.endpoint, backend.name());
                } catch (BpException e) {
                    LOG.debug("Endpoint {} still cannot be opened on '{}': {}", s.endpoint, backend.name(),
                            e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Re-opening endpoints failed", e);
        } finally {
            moveLock.unlock();
        }
    }

    @Modified
    void modified(RegistryConfig newConfig) {
        this.config = newConfig;
        selectBackend();
    }

    @Deactivate
    void deactivate() {
        if (context != null) {
            try {
                context.removeBundleListener(uninstalls);
            } catch (IllegalStateException e) {
                // the bundle is stopping
            }
        }
        reopener.shutdownNow();
        // Releases already scheduled still run (the default policy of a scheduled executor).
        releaser.shutdown();
        List<TransportSessionImpl> all;
        synchronized (lock) {
            all = new ArrayList<>(sessions);
        }
        all.forEach(this::detach);
    }

    // ---- backends ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(Backend backend, Map<String, Object> properties) {
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        Object id = properties.get(Constants.SERVICE_ID);
        synchronized (lock) {
            backends.add(new BackendEntry(backend, ranking instanceof Integer r ? r : 0,
                    id instanceof Long l ? l : Long.MAX_VALUE));
        }
        LOG.info("Backend '{}' appeared", backend.name());
        selectBackend();
    }

    void removeBackend(Backend backend) {
        synchronized (lock) {
            backends.removeIf(e -> e.backend() == backend);
        }
        LOG.info("Backend '{}' is going away", backend.name());
        selectBackend();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addOptionHandler(SocketOptionHandler handler) {
        optionHandlers.add(handler).forEach((name, before) -> LOG.warn(
                "Socket option {} is claimed by two extensions, {} and {}: the later one serves it, the other "
                        + "no longer sees it; uninstall one of them", name, before.getClass().getName(),
                handler.getClass().getName()));
    }

    void removeOptionHandler(SocketOptionHandler handler) {
        optionHandlers.remove(handler);
    }

    private Backend preferredBackend() {
        synchronized (lock) {
            String preferred = config.preferredBackend();
            return backends.stream()
                    .sorted(Comparator.comparing((BackendEntry e) -> !e.backend().name().equals(preferred))
                            .thenComparing(BackendEntry::ranking, Comparator.reverseOrder())
                            .thenComparingLong(BackendEntry::serviceId))
                    .map(BackendEntry::backend).findFirst().orElse(null);
        }
    }

    /**
     * Makes the preferred backend the active one; if it changed, closes every registration on the old
     * one (before returning, so a departing backend is left alone once its unbind returns) and opens
     * every bound endpoint on the new one. Deliveries already taken from the old backend are still
     * handed to their sockets and acknowledged to it; any it delivers again are recognised as duplicates.
     */
    private void selectBackend() {
        moveLock.lock();
        try {
            Backend next = preferredBackend();
            List<SocketState> bound;
            List<EndpointRegistration> toClose = new ArrayList<>();
            Backend previous;
            synchronized (lock) {
                previous = active;
                if (next == previous) {
                    return;
                }
                active = next;
                if (next == null) {
                    backendLeft = true;
                    backendLeftNanos = System.nanoTime();
                }
                bound = boundSockets();
                for (SocketState s : bound) {
                    if (s.registration != null) {
                        toClose.add(s.registration);
                    }
                    s.registration = null;
                    s.registeredOn = null;
                    s.sink = null;
                }
            }
            LOG.info("Active backend: {} -> {} ({} bound endpoints move)", name(previous), name(next), bound.size());
            toClose.forEach(SocketRegistryImpl::closeQuietly);
            if ((previous == null) != (next == null)) {
                tellTransports(next != null);
            }
            if (next != null) {
                for (SocketState s : bound) {
                    try {
                        open(s, next);
                    } catch (BpException e) {
                        LOG.warn("Endpoint {} could not be opened on backend '{}': {}", s.endpoint, next.name(),
                                e.getMessage());
                    }
                }
                CompletableFuture<Backend> arrived;
                synchronized (lock) {
                    arrived = backendArrives;
                    backendArrives = new CompletableFuture<>();
                }
                arrived.complete(next);
            }
        } finally {
            moveLock.unlock();
        }
    }

    /**
     * The backend a send should wait for: the active one; else, while a swap is under way (a backend
     * left less than {@code swapWaitSeconds} ago, or the send was held by one that left), the next
     * one to become active, or null if none does in time; else null at once (no backend installed).
     */
    private CompletionStage<Backend> awaitBackend(boolean heldByOneThatLeft) {
        int wait = config.swapWaitSeconds();
        synchronized (lock) {
            if (active != null) {
                return CompletableFuture.completedFuture(active);
            }
            boolean swapping = heldByOneThatLeft
                    || backendLeft && System.nanoTime() - backendLeftNanos < wait * 1_000_000_000L;
            if (!swapping || wait <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            return backendArrives.copy().completeOnTimeout(null, wait, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private void tellTransports(boolean available) {
        List<TransportSessionImpl> attached;
        synchronized (lock) {
            attached = new ArrayList<>(sessions);
        }
        for (TransportSessionImpl session : attached) {
            try {
                session.transport().backendAvailable(available);
            } catch (RuntimeException e) {
                LOG.warn("Transport '{}' failed to take the backend state", session.transport().name(), e);
            }
        }
    }

    private static String name(Backend b) {
        return b == null ? "none" : b.name();
    }

    private static void closeQuietly(EndpointRegistration registration) {
        try {
            registration.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing registration of {} failed", registration.endpoint(), e);
        }
    }

    /**
     * Opens a socket's endpoint on a backend, unless the socket changed meanwhile. A failure is recorded
     * on the socket and thrown.
     */
    private void open(SocketState socket, Backend backend) throws BpException {
        RegistrationSink sink;
        EndpointId endpoint;
        int window;
        synchronized (lock) {
            if (socket.released || socket.endpoint == null || active != backend) {
                return;
            }
            setEndpoint(socket, resolveLocalNode(socket.endpoint, backend));
            endpoint = socket.endpoint;
            sink = new RegistrationSink(this, socket);
            socket.sink = sink;
            window = config.deliveryWindow();
        }
        EndpointRegistration registration;
        try {
            registration = backend.open(endpoint, sink, window);
        } catch (BpException | RuntimeException e) {
            BpException failure = e instanceof BpException b ? b
                    : new BpException(BpError.BACKEND_FAILURE, "backend '" + backend.name() + "' failed: " + e, e);
            synchronized (lock) {
                if (socket.sink == sink) {
                    socket.sink = null;
                    socket.registrationProblem = failure.getMessage();
                }
            }
            throw failure;
        }
        boolean stale;
        synchronized (lock) {
            stale = socket.sink != sink || socket.released;
            if (!stale) {
                socket.registration = registration;
                socket.registeredOn = backend;
                socket.registrationProblem = null;
            }
        }
        if (stale) {
            closeQuietly(registration);
        }
    }

    /** {@code ipn:!.S} names service S of whichever node serves it: the active backend's node. */
    private static EndpointId resolveLocalNode(EndpointId endpoint, Backend backend) {
        if (endpoint instanceof IpnEndpointId ipn && ipn.isLocalNode() && backend != null) {
            Optional<EndpointId> node = backend.nodeId();
            if (node.isPresent() && node.get() instanceof IpnEndpointId nodeIpn) {
                return IpnEndpointId.of(nodeIpn.allocator(), nodeIpn.node(), ipn.service(), nodeIpn.threeElement());
            }
        }
        return endpoint;
    }

    Optional<EndpointId> localNode() {
        Backend backend;
        synchronized (lock) {
            backend = active;
        }
        return backend == null ? Optional.empty() : backend.nodeId();
    }

    // ---- transports ----

    @Override
    public TransportSession attach(SocketTransport transport) {
        TransportSessionImpl session = new TransportSessionImpl(this, transport, sessionIds.incrementAndGet());
        boolean available;
        synchronized (lock) {
            sessions.add(session);
            socketsBySession.put(session.sessionId, new TreeMap<>());
            available = active != null;
        }
        LOG.info("Transport '{}' attached", transport.name());
        transport.backendAvailable(available);
        return session;
    }

    void detach(TransportSessionImpl session) {
        List<Long> ids;
        synchronized (lock) {
            if (!sessions.remove(session)) {
                return;
            }
            session.closed = true;
            ids = new ArrayList<>(socketsBySession.getOrDefault(session.sessionId, Map.of()).keySet());
        }
        ids.forEach(id -> release(session, id));
        synchronized (lock) {
            socketsBySession.remove(session.sessionId);
        }
        LOG.info("Transport '{}' detached", session.transport().name());
    }

    private SocketState socket(TransportSessionImpl session, long socketId) {
        Map<Long, SocketState> map = socketsBySession.get(session.sessionId);
        return map == null ? null : map.get(socketId);
    }

    private List<SocketState> allSockets() {
        List<SocketState> all = new ArrayList<>();
        socketsBySession.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    private List<SocketState> boundSockets() {
        List<SocketState> bound = new ArrayList<>();
        for (SocketState s : allSockets()) {
            if (s.endpoint != null && !s.released) {
                bound.add(s);
            }
        }
        return bound;
    }

    EndpointId bind(TransportSessionImpl session, long socketId, EndpointId endpoint, List<OptionValue> options)
            throws BpException {
        return bind(session, socketId, endpoint, options, false);
    }

    /**
     * @param known the transport has this socket bound already (a resync): if the backend cannot open
     *        its endpoint now, the socket stays, and its endpoint is opened again later
     */
    private EndpointId bind(TransportSessionImpl session, long socketId, EndpointId endpoint,
            List<OptionValue> options, boolean known) throws BpException {
        if (endpoint == null || endpoint.isNull()) {
            throw new BpException(BpError.INVALID_ARGUMENT, "cannot bind the null endpoint " + endpoint);
        }
        moveLock.lock();
        try {
            SocketState socket;
            Backend backend;
            EndpointId previous;
            boolean isNew;
            synchronized (lock) {
                if (session.closed) {
                    throw new BpException(BpError.NO_SUCH_SOCKET, "transport session is closed");
                }
                backend = active;
                EndpointId resolved = resolveLocalNode(endpoint, backend);
                Map<Long, SocketState> sessionSockets = socketsBySession.get(session.sessionId);
                socket = sessionSockets.get(socketId);
                for (SocketState other : byEndpoint.getOrDefault(resolved, List.of())) {
                    if (other != socket && !other.released) {
                        throw new BpException(BpError.ADDRESS_IN_USE, resolved + " is bound by " + other);
                    }
                }
                isNew = socket == null;
                if (isNew) {
                    socket = new SocketState(session, socketId, config.duplicateMemory());
                    sessionSockets.put(socketId, socket);
                }
                previous = socket.endpoint;
                setEndpoint(socket, resolved);
                replaceOptions(socket, options);
                if (resolved.equals(previous) && socket.registration != null) {
                    return resolved;
                }
            }
            if (previous != null) {
                closeRegistration(socket);
            }
            if (backend != null) {
                try {
                    open(socket, backend);
                } catch (BpException e) {
                    // A first bind that fails leaves nothing behind; a socket already bound stays bound,
                    // its endpoint opened again by the re-opener or at the next change of backend.
                    if (isNew && !known) {
                        synchronized (lock) {
                            socketsBySession.get(session.sessionId).remove(socketId);
                            socket.released = true;
                            unindex(socket);
                        }
                    }
                    throw e;
                }
            }
            synchronized (lock) {
                return socket.endpoint;
            }
        } finally {
            moveLock.unlock();
        }
    }

    /** Sets a socket's endpoint and keeps {@link #byEndpoint} with it. Caller holds lock. */
    private void setEndpoint(SocketState socket, EndpointId endpoint) {
        if (java.util.Objects.equals(socket.endpoint, endpoint)) {
            return;
        }
        unindex(socket);
        socket.endpoint = endpoint;
        if (endpoint != null && !socket.released) {
            byEndpoint.merge(endpoint, List.of(socket), (had, one) -> {
                List<SocketState> more = new ArrayList<>(had);
                more.add(socket);
                return more;
            });
        }
    }

    /** Takes a socket out of {@link #byEndpoint} (it keeps its endpoint). Caller holds lock. */
    private void unindex(SocketState socket) {
        if (socket.endpoint == null) {
            return;
        }
        List<SocketState> holders = byEndpoint.get(socket.endpoint);
        if (holders == null || !holders.contains(socket)) {
            return;
        }
        if (holders.size() == 1) {
            byEndpoint.remove(socket.endpoint);
        } else {
            List<SocketState> rest = new ArrayList<>(holders);
            rest.remove(socket);
            byEndpoint.put(socket.endpoint, rest.size() == 1 ? List.of(rest.get(0)) : rest);
        }
    }

    private static void replaceOptions(SocketState socket, List<OptionValue> options) {
        socket.options.clear();
        for (OptionValue o : options) {
            socket.options.put(o.name(), o);
        }
    }

    private void closeRegistration(SocketState socket) {
        EndpointRegistration registration;
        synchronized (lock) {
            registration = socket.registration;
            socket.registration = null;
            socket.registeredOn = null;
            socket.sink = null;
        }
        if (registration != null) {
            closeQuietly(registration);
        }
    }

    void release(TransportSessionImpl session, long socketId) {
        SocketState socket;
        List<Delivery> unsent;
        synchronized (lock) {
            Map<Long, SocketState> map = socketsBySession.get(session.sessionId);
            socket = map == null ? null : map.remove(socketId);
            if (socket == null) {
                return;
            }
            socket.released = true;
            unindex(socket);
            unsent = socket.takeUnsent();
        }
        closeRegistration(socket);
        unsent.forEach(this::releaseQuietly);
    }

    private void releaseQuietly(Delivery delivery) {
        try {
            releaser.schedule(() -> releaseNow(delivery), RELEASE_DELAY_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            releaseNow(delivery); // deactivated: nothing calls back any more
        }
    }

    private static void releaseNow(Delivery delivery) {
        try {
            delivery.release();
        } catch (RuntimeException e) {
            LOG.warn("Releasing delivery {} failed", delivery.bundle().id(), e);
        }
    }

    private static void acknowledgeQuietly(Delivery delivery) {
        try {
            delivery.acknowledge();
        } catch (RuntimeException e) {
            LOG.warn("Acknowledging delivery {} failed", delivery.bundle().id(), e);
        }
    }

    Map<Long, BpException> resync(TransportSessionImpl session, Map<Long, BoundSocket> listed) {
        List<Long> stale = new ArrayList<>();
        synchronized (lock) {
            for (Long id : socketsBySession.getOrDefault(session.sessionId, Map.of()).keySet()) {
                if (!listed.containsKey(id)) {
                    stale.add(id);
                }
            }
        }
        stale.forEach(id -> release(session, id));
        Map<Long, BpException> failures = new TreeMap<>();
        listed.forEach((id, bound) -> {
            try {
                bind(session, id, bound.endpoint(), bound.options(), true);
            } catch (BpException e) {
                failures.put(id, e);
            }
        });
        return failures;
    }

    void setOption(TransportSessionImpl session, long socketId, OptionValue option) throws BpException {
        optionHandlers.validate(option);
        synchronized (lock) {
            SocketState socket = socket(session, socketId);
            if (socket != null) {
                socket.options.put(option.name(), option);
            }
        }
    }

    ByteBuffer option(TransportSessionImpl session, long socketId, int name) throws BpException {
        synchronized (lock) {
            SocketState socket = socket(session, socketId);
            if (socket != null && socket.options.containsKey(name)) {
                return socket.options.get(name).value();
            }
        }
        return optionHandlers.defaultValue(name);
    }

    // ---- sending ----

    CompletionStage<BundleId> send(TransportSessionImpl session, long socketId, EndpointId source,
            EndpointId destination, ByteBuffer payload, List<OptionValue> options) {
        BundleOptions bundleOptions;
        try {
            bundleOptions = optionHandlers.resolve(options);
        } catch (BpException e) {
            // An option whose extension is being replaced: the send waits for the new one.
            CompletableFuture<Void> replaced = e.error() == BpError.UNKNOWN_OPTION
                    ? optionHandlers.awaitReplacement(options, config.swapWaitSeconds()) : null;
            if (replaced != null) {
                return replaced.thenCompose(x -> send(session, socketId, source, destination, payload, options));
            }
            countSend(session, socketId, false);
            return CompletableFuture.failedFuture(e);
        }
        return send(session, socketId, source, destination, payload, bundleOptions);
    }

    CompletionStage<BundleId> send(TransportSessionImpl session, long socketId, EndpointId source,
            EndpointId destination, ByteBuffer payload, BundleOptions options) {
        Backend backend;
        synchronized (lock) {
            backend = active;
        }
        return sendOn(backend, session, socketId, source, destination, payload, options, true);
    }

    private CompletionStage<BundleId> sendOn(Backend backend, TransportSessionImpl session, long socketId,
            EndpointId source, EndpointId destination, ByteBuffer payload, BundleOptions options,
            boolean mayRetry) {
        if (backend == null && mayRetry) {
            // A send that arrives while one backend replaces another waits for the new one: the
            // transport accepted it while a backend was there (rule 1 of docs/architecture.md).
            return awaitBackend(false).thenCompose(next -> sendOn(next, session, socketId, source, destination,
                    payload, options, false));
        }
        SendRequest request;
        try {
            if (backend == null) {
                throw new BpException(BpError.NO_BACKEND, "no backend is installed");
            }
            checkCapabilities(backend, payload, options);
            request = new SendRequest(destination, resolveLocalNode(source, backend), payload, options);
        } catch (BpException e) {
            countSend(session, socketId, false);
            return CompletableFuture.failedFuture(e);
        } catch (IllegalArgumentException e) {
            countSend(session, socketId, false);
            return CompletableFuture.failedFuture(new BpException(BpError.INVALID_ARGUMENT, e.getMessage(), e));
        }
        CompletionStage<BundleId> stage;
        try {
            stage = backend.send(request);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(
                    new BpException(BpError.BACKEND_FAILURE, "backend '" + backend.name() + "' failed: " + e, e));
        }
        return stage.handle((id, failure) -> {
            if (failure == null) {
                countSend(session, socketId, true);
                return CompletableFuture.completedFuture(id);
            }
            BpException error = asBpException(backend, failure);
            Backend now;
            synchronized (lock) {
                now = active;
            }
            // A backend that left while it held the send: the one that replaced it gets it, or the one
            // that comes within swapWaitSeconds.
            if (mayRetry && error.error() == BpError.NO_BACKEND && now != backend) {
                if (now != null) {
                    return sendOn(now, session, socketId, source, destination, payload, options, false);
                }
                return awaitBackend(true).thenCompose(next -> next == null
                        ? failSend(session, socketId, error)
                        : sendOn(next, session, socketId, source, destination, payload, options, false));
            }
            countSend(session, socketId, false);
            return CompletableFuture.<BundleId>failedFuture(error);
        }).thenCompose(s -> s);
    }

    private CompletionStage<BundleId> failSend(TransportSessionImpl session, long socketId, BpException error) {
        countSend(session, socketId, false);
        return CompletableFuture.failedFuture(error);
    }

    private static BpException asBpException(Backend backend, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof BpException b ? b
                : new BpException(BpError.BACKEND_FAILURE, "backend '" + backend.name() + "' failed: " + cause, cause);
    }

    private static void checkCapabilities(Backend backend, ByteBuffer payload, BundleOptions options)
            throws BpException {
        BackendCapabilities caps = backend.capabilities();
        Set<BundleOption> missing = EnumSet.noneOf(BundleOption.class);
        for (BundleOption option : options.nonDefault()) {
            if (!caps.honours(option)) {
                missing.add(option);
            }
        }
        if (!missing.isEmpty()) {
            throw new BpException(BpError.OPTION_NOT_SUPPORTED,
                    "backend '" + backend.name() + "' cannot honour " + missing);
        }
        if (payload.remaining() > caps.maxPayload()) {
            throw new BpException(BpError.MESSAGE_TOO_LONG, "payload of " + payload.remaining()
                    + " bytes exceeds backend '" + backend.name() + "' limit of " + caps.maxPayload());
        }
    }

    private void countSend(TransportSessionImpl session, long socketId, boolean ok) {
        synchronized (lock) {
            SocketState socket = socket(session, socketId);
            if (socket != null) {
                if (ok) {
                    socket.sent++;
                } else {
                    socket.sendFailures++;
                }
            }
        }
    }

    // ---- delivering ----

    /** A delivery from a backend registration. */
    void accept(RegistrationSink sink, Delivery delivery) {
        if (delivery.bundle().administrativeRecord()) {
            try {
                Optional<BundleStatus> status = StatusReports.decode(delivery.bundle());
                if (status.isPresent()) {
                    acceptStatus(sink, delivery, status.get());
                    return;
                }
            } catch (MalformedBundleException e) {
                LOG.warn("Status report {} for {} is malformed ({}); dropped", delivery.bundle().id(),
                        delivery.bundle().destination(), e.getMessage());
                synchronized (lock) {
                    sink.socket.reportsDropped++;
                }
                acknowledgeQuietly(delivery);
                return;
            }
        }
        SocketState socket = sink.socket;
        boolean duplicate = false;
        synchronized (lock) {
            if (socket.released || socket.sink != sink) {
                socket = null;
            } else if (socket.recent.contains(delivery.bundle().id())) {
                duplicate = true;
                socket.duplicates++;
            } else {
                socket.queue.add(delivery);
            }
        }
        if (socket == null) {
            releaseQuietly(delivery);
        } else if (duplicate) {
            acknowledgeQuietly(delivery);
        } else {
            pump(socket);
        }
    }

    /**
     * A status report for a socket's endpoint goes to the socket's reader of reports, not among its data.
     * Reports are advisory: one the socket does not take is counted and dropped, never retried.
     */
    private void acceptStatus(RegistrationSink sink, Delivery delivery, BundleStatus status) {
        SocketState socket = sink.socket;
        synchronized (lock) {
            if (socket.released || socket.sink != sink) {
                socket = null;
            }
        }
        if (socket == null) {
            releaseQuietly(delivery);
            return;
        }
        SocketState s = socket;
        CompletionStage<DeliveryResult> result;
        try {
            result = Objects.requireNonNull(s.session.transport().deliverStatus(s.id, status),
                    "deliverStatus returned null");
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, e) -> {
            synchronized (lock) {
                if (r == DeliveryResult.ACCEPTED) {
                    s.reports++;
                } else {
                    s.reportsDropped++;
                }
            }
            if (e != null) {
                LOG.warn("Status report about {} for socket {} failed", status.subject(), s.id, e);
            } else if (r != DeliveryResult.ACCEPTED) {
                LOG.debug("Status report about {} not taken by socket {} ({})", status.subject(), s.id, r);
            }
            acknowledgeQuietly(delivery);
        });
    }

    void drained(TransportSessionImpl session, long socketId) {
        SocketState socket;
        synchronized (lock) {
            socket = socket(session, socketId);
            if (socket == null) {
                return;
            }
            socket.full = false;
            socket.drainEpoch++;
        }
        pump(socket);
    }

    /** Hands queued deliveries to the socket's transport, in order; one thread at a time per socket. */
    private void pump(SocketState socket) {
        synchronized (lock) {
            if (socket.pumping) {
                return;
            }
            socket.pumping = true;
        }
        List<Delivery> duplicates = new ArrayList<>();
        try {
            while (true) {
                Delivery next;
                synchronized (lock) {
                    while (!socket.queue.isEmpty() && socket.recent.contains(socket.queue.peekFirst().bundle().id())) {
                        duplicates.add(socket.queue.pollFirst());
                        socket.duplicates++;
                    }
                    if (!socket.canHandOver(config.socketPipeline())) {
                        socket.pumping = false;
                        break;
                    }
                    next = socket.queue.pollFirst();
                    socket.inFlight.add(next);
                    socket.handed(next);
                }
                CompletionStage<DeliveryResult> result;
                try {
                    result = socket.session.transport().deliver(socket.id, next.bundle());
                } catch (RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
                result.whenComplete((r, e) -> delivered(socket, next, e == null ? r : null, e));
            }
        } finally {
            duplicates.forEach(SocketRegistryImpl::acknowledgeQuietly);
        }
    }

    private void delivered(SocketState socket, Delivery delivery, DeliveryResult result, Throwable failure) {
        List<Delivery> toRelease = new ArrayList<>();
        boolean acknowledge = false;
        synchronized (lock) {
            socket.inFlight.remove(delivery);
            Long handedAt = socket.answered(delivery);
            if (result == DeliveryResult.ACCEPTED) {
                acknowledge = true;
                socket.delivered++;
                socket.recent.add(delivery.bundle().id());
            } else if (result == DeliveryResult.FULL && !socket.released) {
                // A drained notice can overtake the refusal it answers: then the room is there already.
                if (handedAt == null || handedAt == socket.drainEpoch) {
                    socket.full = true;
                }
                socket.refusedFull++;
                socket.refused.add(delivery);
            } else {
                if (failure != null) {
                    LOG.warn("Delivery of {} to {} failed", delivery.bundle().id(), socket, failure);
                }
                toRelease.add(delivery);
                if (result == DeliveryResult.GONE) {
                    toRelease.addAll(socket.takeUnsent());
                }
            }
            if (socket.inFlight.isEmpty() && !socket.refused.isEmpty()) {
                for (int i = socket.refused.size() - 1; i >= 0; i--) {
                    socket.queue.addFirst(socket.refused.get(i));
                }
                socket.refused.clear();
            }
        }
        if (acknowledge) {
            acknowledgeQuietly(delivery);
        }
        toRelease.forEach(this::releaseQuietly);
        pump(socket);
    }

    // ---- read-only views ----

    @Override
    public NodeStatus status() {
        List<TransportSessionImpl> attached;
        Backend current;
        boolean anyBackend;
        int total;
        int bound;
        synchronized (lock) {
            attached = new ArrayList<>(sessions);
            current = active;
            anyBackend = !backends.isEmpty();
            List<SocketState> all = allSockets();
            total = all.size();
            bound = (int) all.stream().filter(s -> s.endpoint != null).count();
        }
        List<NodeStatus.Transport> transports = new ArrayList<>();
        for (TransportSessionImpl s : attached) {
            transports.add(new NodeStatus.Transport(s.transport().name(), s.transport().status()));
        }
        String health = current != null ? current.health().toString()
                : anyBackend ? "no backend selected" : "no backend installed";
        return new NodeStatus(Optional.ofNullable(current).map(Backend::name), health, transports, total, bound);
    }

    @Override
    public List<SocketInfo> sockets() {
        synchronized (lock) {
            List<SocketState> all = allSockets();
            all.sort(SOCKET_ORDER);
            List<SocketInfo> infos = new ArrayList<>();
            for (SocketState s : all) {
                Map<Integer, String> options = new TreeMap<>();
                s.options.forEach((name, value) -> options.put(name, hex(value.valueBytes())));
                infos.add(new SocketInfo(s.session.transport().name(), s.id, Optional.ofNullable(s.endpoint),
                        Optional.ofNullable(s.registeredOn).map(Backend::name), options, s.counters(),
                        s.pendingDeliveries()));
            }
            return infos;
        }
    }

    @Override
    public List<BackendInfo> backends() {
        List<BackendEntry> entries;
        Backend current;
        Map<Backend, Integer> open = new HashMap<>();
        synchronized (lock) {
            entries = new ArrayList<>(backends);
            current = active;
            for (SocketState s : allSockets()) {
                if (s.registeredOn != null) {
                    open.merge(s.registeredOn, 1, Integer::sum);
                }
            }
        }
        entries.sort(Comparator.comparing((BackendEntry e) -> e.backend() != current)
                .thenComparing(e -> e.backend().name()));
        List<BackendInfo> infos = new ArrayList<>();
        for (BackendEntry e : entries) {
            Backend b = e.backend();
            infos.add(new BackendInfo(b.name(), b == current, b.health(), b.capabilities(), b.nodeId(),
                    open.getOrDefault(b, 0)));
        }
        return infos;
    }

    @Override
    public LocalSocket openLocal(Optional<EndpointId> endpoint) throws BpException {
        return localTransport.open(endpoint);
    }

    /** Whether any socket of any transport holds this endpoint now. */
    boolean isBound(EndpointId endpoint) {
        synchronized (lock) {
            for (SocketState s : byEndpoint.getOrDefault(endpoint, List.of())) {
                if (!s.released) {
                    return true;
                }
            }
            return false;
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
