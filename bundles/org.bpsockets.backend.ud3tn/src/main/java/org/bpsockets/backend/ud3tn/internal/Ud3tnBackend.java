package org.bpsockets.backend.ud3tn.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.eid.Scheme;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Bundle;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "ud3tn" backend: the sockets' bundles travel through a running µD3TN node, over AAP 2.0. Each
 * bound endpoint gets a subscribing connection (opened at bind) and a sending connection (opened at
 * its first send), with one random secret per endpoint. A monitor connection learns µD3TN's node ID
 * and notices at once when µD3TN goes away; subscriptions then reconnect on their own.
 *
 * <p>What can be lost, and where it is counted (docs/decisions/0007): sends that fail after µD3TN was
 * given them ({@code sendsFailed}), ADUs refused beyond the hold limit ({@code refusals}), answers to
 * µD3TN later than its 1 s ({@code lateAnswers}) and lost subscriptions ({@code subscriptionsLost}),
 * after which µD3TN drops what it queued. Each is a rate-limited WARN and a figure in {@link #health()}.
 */
@Component(service = {Backend.class, Ud3tnBackend.class}, configurationPid = "org.bpsockets.backend.ud3tn",
        property = Backend.NAME_PROPERTY + "=ud3tn")
@Designate(ocd = Ud3tnConfig.class)
public final class Ud3tnBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(Ud3tnBackend.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ud3tnConfig config;
    private final BackendCapabilities capabilities;
    private final Map<EndpointId, EndpointState> endpoints = new ConcurrentHashMap<>();
    private final Map<EndpointId, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Map<EndpointId, Sender> senders = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Thread monitor;
    private final java.util.List<Ud3tnContact> contacts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile EndpointId nodeId;
    private volatile String down = "not connected yet";
    private volatile Aap2Wire monitorWire;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch firstAttempt = new java.util.concurrent.CountDownLatch(1);
    /** Runs every endpoint's deliveries to the registry, so the threads answering µD3TN never wait on them. */
    private final java.util.concurrent.ExecutorService deliveries;
    final LossLog sendsFailed = new LossLog(LOG);
    final LossLog refusals = new LossLog(LOG);
    final LossLog lateAnswers = new LossLog(LOG);
    final LossLog subscriptionsLost = new LossLog(LOG);

    @Activate
    public Ud3tnBackend(Ud3tnConfig config) {
        this.config = config;
        // v0.13.0 sets no bundle option per ADU: declaring none makes the registry refuse them clearly.
        this.capabilities = new BackendCapabilities(EnumSet.noneOf(org.bpsockets.api.bundle.BundleOption.class),
                EnumSet.of(Scheme.IPN, Scheme.DTN), Math.min(config.maxPayload(), Aap2Dialect.MAX_ADU));
        Aap2Wire.parseAddress(config.socket());
        if (config.ackWaitMillis() != 0) {
            LOG.warn("µD3TN backend: ackWaitMillis = {} is no longer used: ADUs are answered as soon as they are read "
                    + "and held until the application takes them (docs/decisions/0007); remove the setting",
                    config.ackWaitMillis());
        }
        if (config.closeDrainMillis() < 1) {
            throw new IllegalArgumentException("closeDrainMillis " + config.closeDrainMillis()
                    + " is out of range: valid is 1 or more (milliseconds)");
        }
        this.deliveries = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bp-ud3tn-deliver");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bp-ud3tn-keepalive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tendSenders, 1, 1, TimeUnit.SECONDS);
        this.monitor = new Thread(this::watch, "bp-ud3tn-monitor");
        monitor.setDaemon(true);
        monitor.start();
        // A running µD3TN is known before the registry sees this backend and moves endpoints to it.
        try {
            firstAttempt.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() {
        closed = true;
        Aap2Wire w = monitorWire;
        if (w != null) {
            w.close();
        }
        monitor.interrupt();
        subscribers.values().forEach(Subscriber::close);
        // Sends already written get their answers (or fail, counted) before the connections close.
        List<Sender> open = List.copyOf(senders.values());
        open.forEach(s -> s.closeWhenIdle(timer, config.closeDrainMillis()));
        try {
            CompletableFuture.allOf(open.stream().map(Sender::closed).toArray(CompletableFuture[]::new))
                    .get(config.closeDrainMillis() + 1000L, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            open.forEach(Sender::close);
        }
        timer.shutdownNow();
        deliveries.shutdown();
        LOG.info("µD3TN backend stopped");
    }

    /**
     * Keepalives on idle sending connections; and a connection of an endpoint no registration holds
     * (the contact control endpoint, or a socket that closed and then sent) closes after
     * {@link #UNREGISTERED_IDLE_NANOS} without sends.
     */
    private void tendSenders() {
        senders.forEach((endpoint, sender) -> {
            EndpointState state = endpoints.get(endpoint);
            if (state != null && sender.isOpen() && sender.pendingCount() == 0
                    && sender.idleNanos() > UNREGISTERED_IDLE_NANOS) {
                synchronized (state) {
                    if (!state.attached()) {
                        sender.closeWhenIdle(timer, config.closeDrainMillis());
                        return;
                    }
                }
            }
            sender.keepaliveIfIdle();
        });
    }

    private static final long UNREGISTERED_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    Ud3tnConfig config() {
        return config;
    }

    /** Keeps a connection to µD3TN that does nothing but tell us when it goes away. */
    private void watch() {
        long backoff = 50;
        while (!closed) {
            try {
                Aap2Wire w = Aap2Wire.connect(config.socket());
                monitorWire = w;
                EndpointId id = EndpointId.parse(w.welcome().getNodeId());
                if (!id.equals(nodeId)) {
                    LOG.info("µD3TN node {} reached at {}", id, config.socket());
                }
                nodeId = id;
                down = null;
                firstAttempt.countDown();
                backoff = 50;
                // A µD3TN that was away may have restarted, and it keeps contacts in RAM only.
                contacts.forEach(c -> applyContact(c, true));
                w.readMessage();
                throw new IOException("µD3TN sent an unexpected message to an idle connection");
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (down == null) {
                    LOG.warn("µD3TN at {} went away: {}", config.socket(), e.getMessage());
                }
                down = e.getMessage();
                firstAttempt.countDown();
            } finally {
                Aap2Wire w = monitorWire;
                if (w != null) {
                    w.close();
                }
                monitorWire = null;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, config.reconnectMaxMillis());
        }
    }

    @Override
    public String name() {
        return "ud3tn";
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public BackendHealth health() {
        String reason = down;
        if (reason != null) {
            return BackendHealth.down("µD3TN not reachable at " + config.socket() + ": " + reason);
        }
        long held = endpoints.values().stream().mapToLong(EndpointState::held).sum();
        long refused = refusals.total();
        long lost = subscribers.values().stream().filter(s -> !s.connected()).count();
        String detail = "µD3TN " + nodeId + " at " + config.socket() + ", " + subscribers.size() + " endpoints, "
                + held + " ADUs held, " + refused + " refused, " + sendsFailed.total() + " sends failed, "
                + subscriptionsLost.total() + " subscriptions lost, " + lateAnswers.total() + " late answers";
        return lost > 0 ? new BackendHealth(BackendHealth.State.DEGRADED, detail + ", " + lost + " reconnecting")
                : BackendHealth.up(detail);
    }

    @Override
    public Optional<EndpointId> nodeId() {
        return down == null ? Optional.ofNullable(nodeId) : Optional.empty();
    }

    private EndpointId requireNode() throws BpException {
        EndpointId id = nodeId;
        if (id == null || down != null) {
            throw new BpException(BpError.NO_BACKEND, "µD3TN is not reachable at " + config.socket()
                    + (down == null ? "" : ": " + down));
        }
        return id;
    }

    private EndpointState state(EndpointId endpoint) throws BpException {
        EndpointId node = requireNode();
        EndpointId local = Aap2Dialect.localEndpoint(endpoint, node);
        String agentId = Aap2Dialect.agentId(local, node);
        return endpoints.computeIfAbsent(local, e -> new EndpointState(e, agentId, newSecret(), deliveries));
    }

    private static String newSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException {
        EndpointState state = state(endpoint);
        synchronized (state) {
            if (state.attached()) {
                throw new BpException(BpError.ADDRESS_IN_USE, state.endpoint + " is already registered");
            }
            Subscriber subscriber;
            try {
                subscriber = new Subscriber(this, state);
            } catch (IOException e) {
                throw new BpException(BpError.NO_BACKEND, e.getMessage(), e);
            }
            subscribers.put(state.endpoint, subscriber);
            state.attach(sink, Math.max(1, window));
            return new Registration(state, subscriber, sink);
        }
    }

    private final class Registration implements EndpointRegistration {
        private final EndpointState state;
        private final Subscriber subscriber;
        private final DeliverySink sink;

        Registration(EndpointState state, Subscriber subscriber, DeliverySink sink) {
            this.state = state;
            this.subscriber = subscriber;
            this.sink = sink;
        }

        @Override
        public EndpointId endpoint() {
            return state.endpoint;
        }

        /**
         * Stops receiving at once; the sending connection stays until µD3TN answered every send
         * already written (bp(7): closing a socket does not discard what it sent).
         */
        @Override
        public void close() {
            subscribers.remove(state.endpoint, subscriber);
            subscriber.close();
            state.detach(sink);
            Sender sender = senders.get(state.endpoint);
            if (sender != null) {
                synchronized (state) {
                    if (!state.attached()) {
                        sender.closeWhenIdle(timer, config.closeDrainMillis());
                    }
                }
            }
        }
    }

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        try {
            if (request.source().isNull()) {
                throw new BpException(BpError.INVALID_ARGUMENT,
                        "µD3TN sends only from a registered endpoint: an anonymous source is not possible");
            }
            long size = request.payload().remaining();
            if (size > capabilities.maxPayload()) {
                throw new BpException(BpError.MESSAGE_TOO_LONG, "an ADU of " + size + " bytes exceeds the µD3TN backend's "
                        + capabilities.maxPayload() + "-byte limit");
            }
            EndpointState state = state(request.source());
            AAPMessage adu = AAPMessage.newBuilder().setAdu(BundleADU.newBuilder()
                    .setDstEid(request.destination().toString()).setPayloadLength(size)).build();
            CompletableFuture<AAPResponse> answer = null;
            // A connection may close (gracefully, idle) between being chosen and being written to;
            // nothing was written then, so the next one is as good.
            for (int attempt = 0; answer == null && attempt < 3; attempt++) {
                answer = sender(state).call(adu, request.payload());
            }
            if (answer == null) {
                throw new BpException(BpError.BACKEND_FAILURE, "no sending connection to µD3TN stayed open for "
                        + request.source());
            }
            return answer.handle((response, failure) -> {
                if (failure != null) {
                    sendsFailed.count(1, "A send from " + request.source() + " to " + request.destination()
                            + " failed: " + failure.getMessage() + "; reported to the sender");
                    throw new CompletionException(new BpException(BpError.BACKEND_FAILURE,
                            "µD3TN connection lost while sending: " + failure.getMessage(), failure));
                }
                return bundleId(request, response);
            });
        } catch (BpException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Sender sender(EndpointState state) throws BpException {
        synchronized (state) {
            Sender existing = senders.get(state.endpoint);
            if (existing != null && existing.isOpen()) {
                if (state.attached()) {
                    existing.keep();
                }
                return existing;
            }
            if (existing != null) {
                // µD3TN allows one sending registration per endpoint: let the old one finish closing.
                try {
                    existing.closed().get(1, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.debug("µD3TN: the previous sending connection of {} is still closing", state.endpoint);
                }
            }
            for (int attempt = 1;; attempt++) {
                try {
                    Sender[] created = new Sender[1];
                    created[0] = Sender.open(config.socket(), state, config.keepaliveSeconds(),
                            () -> senders.remove(state.endpoint, created[0]));
                    senders.put(state.endpoint, created[0]);
                    return created[0];
                } catch (IOException e) {
                    throw new BpException(BpError.NO_BACKEND, e.getMessage(), e);
                } catch (BpException e) {
                    // µD3TN forgets a closed connection's registration asynchronously.
                    if (existing == null || e.error() != BpError.ADDRESS_IN_USE || attempt == 10) {
                        throw e;
                    }
                    try {
                        Thread.sleep(20L * attempt);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }

    private static BundleId bundleId(SendRequest request, AAPResponse response) {
        switch (response.getResponseStatus()) {
            case RESPONSE_STATUS_SUCCESS:
                Bundle headers = response.getBundleHeaders();
                EndpointId source = headers.getSrcEid().isEmpty() ? request.source()
                        : EndpointId.parse(headers.getSrcEid());
                return BundleId.of(source, headers.getCreationTimestampMs(), headers.getSequenceNumber());
            case RESPONSE_STATUS_INVALID_REQUEST:
                throw new CompletionException(new BpException(BpError.INVALID_ARGUMENT,
                        "µD3TN refused the bundle to " + request.destination() + " as invalid"));
            default:
                throw new CompletionException(new BpException(BpError.BACKEND_FAILURE,
                        "µD3TN answered " + response.getResponseStatus() + " to the bundle to " + request.destination()));
        }
    }

    // ---- contacts ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addContact(Ud3tnContact contact) {
        contacts.add(contact);
        if (down == null && nodeId != null) {
            applyContact(contact, true);
        }
    }

    void removeContact(Ud3tnContact contact) {
        contacts.remove(contact);
        if (down == null && nodeId != null && !closed) {
            applyContact(contact, false);
        }
    }

    public List<Ud3tnContact> contacts() {
        return List.copyOf(contacts);
    }

    /**
     * Gives µD3TN's config agent a contact command. It answers nothing (success shows only in its
     * log): what we can tell is that µD3TN accepted the bundle, and that is logged.
     */
    private void applyContact(Ud3tnContact contact, boolean add) {
        String command = add ? contact.addCommand() : contact.deleteCommand();
        try {
            EndpointId node = requireNode();
            send(SendRequest.of(Aap2Dialect.configAgent(node), controlEndpoint(node),
                    command.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).whenComplete((id, e) -> {
                        if (e == null) {
                            LOG.info("µD3TN contact {} {}", add ? "given:" : "removed:", contact);
                        } else {
                            LOG.warn("µD3TN contact {} could not be {}: {}", contact.name(), add ? "given" : "removed",
                                    e.getMessage());
                        }
                    });
        } catch (BpException e) {
            LOG.warn("µD3TN contact {} not {}: {}", contact.name(), add ? "given" : "removed", e.getMessage());
        }
    }

    private EndpointId controlEndpoint(EndpointId node) {
        if (!config.controlEndpoint().isBlank()) {
            return EndpointId.parse(config.controlEndpoint());
        }
        return node instanceof IpnEndpointId ipn ? ipn.withService(4094)
                : ((DtnEndpointId) node).withDemux("bpsockets-control");
    }
}
