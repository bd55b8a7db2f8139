package org.bpsockets.backend.ion.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.eid.Scheme;
import org.bpsockets.backend.ion.internal.Ion.BpAncillaryData;
import org.bpsockets.backend.ion.internal.Ion.BpDelivery;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Pointer;

/**
 * The "ion" backend: the sockets' bundles travel through a running ION node, through libbp. The
 * container stays healthy without ION: the backend is DOWN with the reason and attaches when ION
 * appears. One receiving thread per bound endpoint; all sends on one thread.
 */
@Component(service = Backend.class, configurationPid = "org.bpsockets.backend.ion",
        property = Backend.NAME_PROPERTY + "=ion")
@Designate(ocd = IonConfig.class)
public final class IonBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(IonBackend.class);

    private final IonConfig config;
    private final BackendCapabilities capabilities;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> daemon(r, "bp-ion-send"));
    private final Thread attacher;
    private final Map<EndpointId, Receiver> receivers = new ConcurrentHashMap<>();
    /** ADUs taken from ION that no application has acknowledged, per endpoint, for its next registration. */
    private final Map<EndpointId, ArrayDeque<IonDelivery>> held = new ConcurrentHashMap<>();
    private final Map<EndpointId, Pointer> sources = new ConcurrentHashMap<>();
    /** Endpoints this backend declared in ION (addEndpoint) and has not removed. */
    private final Set<EndpointId> added = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private volatile IonNode node;
    private volatile String down = "not attached yet";
    private volatile boolean closed;

    @Activate
    public IonBackend(IonConfig config) {
        this.config = config;
        // Hop limits need an extension block libbp's bp_send does not offer.
        Set<BundleOption> options = EnumSet.allOf(BundleOption.class);
        options.remove(BundleOption.HOP_LIMIT);
        this.capabilities = new BackendCapabilities(options, EnumSet.of(Scheme.IPN), config.maxPayload());
        this.attacher = daemon(this::attachLoop, "bp-ion-attach");
        attacher.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void attachLoop() {
        while (!closed && node == null) {
            try {
                IonNode attached = IonNode.attach(config);
                synchronized (this) {
                    if (closed) {
                        attached.close();
                        return;
                    }
                    node = attached;
                    down = null;
                }
                LOG.info("Attached to ION node ipn:{}.0", attached.nodeNumber());
                return;
            } catch (IllegalStateException e) {
                if (!e.getMessage().equals(down)) {
                    LOG.warn("ION backend not attached: {}", e.getMessage());
                }
                down = e.getMessage();
            }
            try {
                Thread.sleep(Math.max(1, config.retrySeconds()) * 1000L);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            closed = true;
        }
        attacher.interrupt();
        receivers.values().forEach(Receiver::close);
        sender.shutdown();
        try {
            sender.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IonNode n = node;
        if (n != null) {
            int lost = 0;
            for (ArrayDeque<IonDelivery> q : held.values()) {
                synchronized (q) {
                    for (IonDelivery d : q) {
                        n.release(d.delivery);
                        lost++;
                    }
                    q.clear();
                }
            }
            if (lost > 0) {
                LOG.warn("{} ADUs ION delivered were never taken by an application and are gone with the backend", lost);
            }
            sources.values().forEach(n::close);
            sources.clear();
            for (EndpointId e : added) {
                if (automatic(e)) {
                    retireDeclaration(n, e);
                }
            }
            n.close();
        }
        LOG.info("ION backend stopped");
    }

    @Override
    public String name() {
        return "ion";
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public BackendHealth health() {
        IonNode n = node;
        if (n == null) {
            return BackendHealth.down("ION: " + down);
        }
        int heldCount = held.values().stream().mapToInt(q -> {
            synchronized (q) {
                return q.size();
            }
        }).sum();
        return BackendHealth.up("ION node ipn:" + n.nodeNumber() + ".0, " + receivers.size() + " endpoints, "
                + heldCount + " ADUs held");
    }

    @Override
    public Optional<EndpointId> nodeId() {
        IonNode n = node;
        return n == null ? Optional.empty() : Optional.of(IpnEndpointId.of(n.nodeNumber(), 0));
    }

    private IonNode requireNode() throws BpException {
        IonNode n = node;
        if (n == null) {
            throw new BpException(BpError.NO_BACKEND, "ION is not attached: " + down);
        }
        return n;
    }

    private EndpointId local(EndpointId endpoint, IonNode n) throws BpException {
        if (endpoint instanceof IpnEndpointId ipn && (ipn.isLocalNode() || ipn.fullyQualifiedNodeNumber() == n.nodeNumber())
                && ipn.service() != 0) {
            return IpnEndpointId.of(n.nodeNumber(), ipn.service());
        }
        throw new BpException(BpError.ADDRESS_NOT_AVAILABLE,
                endpoint + " is not an endpoint of the ION node ipn:" + n.nodeNumber() + ".0");
    }

    // ---- endpoints in ION ----

    /** First service of the automatic binds: the kernel's 65536..131071, the node's own shell sockets' above. */
    static final long FIRST_AUTOMATIC_SERVICE = 65536;

    static boolean automatic(EndpointId endpoint) {
        return endpoint instanceof IpnEndpointId ipn && ipn.service() >= FIRST_AUTOMATIC_SERVICE;
    }

    /**
     * Opens a local endpoint on ION, for receiving or as a source. ION opens only endpoints declared in
     * it, and says why it refused only in ion.log: when the open fails, the endpoint is declared
     * (addEndpoints, with the {@code q} rule) and opened again; if ION answers that it knew the endpoint
     * already, it refused for another reason. A refusal names this endpoint, the socket's own.
     */
    private Pointer openSap(IonNode n, EndpointId local, boolean receiving) throws BpException {
        String eid = local.toString();
        String use = receiving ? "to receive on it" : "as the source of a send";
        IonNode.Opened opened = n.open(eid, receiving);
        if (opened.sap() != null) {
            return opened.sap();
        }
        if (opened.openHere()) {
            throw new BpException(BpError.ADDRESS_IN_USE, "ION cannot open the endpoint " + eid + " " + use
                    + ": " + opened.failure());
        }
        String ionSays = opened.failure() == null ? "" : " (" + opened.failure() + ")";
        if (!config.addEndpoints()) {
            String why = "ION cannot open the endpoint " + eid + " " + use + ionSays + ": it is not declared in ION, or"
                    + " another ION application has it open (ION's reason is in ion.log); declare it in ION (bpadmin:"
                    + " a endpoint " + eid + " q) or set addEndpoints = true in etc/org.bpsockets.backend.ion.cfg";
            LOG.warn("{}", why);
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, why);
        }
        boolean declared;
        try {
            declared = n.addEndpoint(eid);
        } catch (BpException e) {
            String why = "ION cannot open the endpoint " + eid + " " + use + ionSays + " and could not declare it: "
                    + e.getMessage() + "; declare it in ION (bpadmin: a endpoint " + eid + " q)";
            LOG.warn("{}", why);
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, why, e);
        }
        if (!declared) {
            // ION knew it (addEndpoint refuses a duplicate): not a missing declaration.
            String why = "ION cannot open the endpoint " + eid + " " + use + ionSays + ", which it has declared"
                    + (receiving ? ": another ION application most likely has it open" : "")
                    + " (ION's reason is in ion.log)";
            LOG.warn("{}", why);
            throw new BpException(receiving ? BpError.ADDRESS_IN_USE : BpError.ADDRESS_NOT_AVAILABLE, why);
        }
        added.add(local);
        if (automatic(local)) {
            LOG.debug("Declared endpoint {} in ION for an automatic bind", eid);
        } else {
            LOG.info("Declared endpoint {} in ION (rule q: bundles for it queue in ION while no socket is bound)", eid);
        }
        opened = n.open(eid, receiving);
        if (opened.sap() != null) {
            return opened.sap();
        }
        String why = "ION declared the endpoint " + eid + " but cannot open it " + use
                + (opened.failure() == null ? "" : " (" + opened.failure() + ")") + "; ION's reason is in ion.log";
        LOG.warn("{}", why);
        throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, why);
    }

    /**
     * After the registration of an endpoint closed: its source SAP goes, and so does the declaration of
     * an automatic bind's endpoint this backend added (ION keeps it if bundles are queued there). On the
     * sending thread, so sends already queued from the endpoint go first.
     */
    private void retire(IonNode n, EndpointId endpoint) {
        Runnable work = () -> {
            if (receivers.containsKey(endpoint)) {
                return; // bound again meanwhile
            }
            Pointer source = sources.remove(endpoint);
            if (source != null) {
                n.close(source);
            }
            if (automatic(endpoint) && added.contains(endpoint)) {
                retireDeclaration(n, endpoint);
            }
        };
        try {
            sender.execute(work);
        } catch (RejectedExecutionException e) {
            // The backend is stopping: deactivate() removes what is left.
        }
    }

    private void retireDeclaration(IonNode n, EndpointId endpoint) {
        if (n.removeEndpoint(endpoint.toString())) {
            added.remove(endpoint);
            LOG.debug("Removed endpoint {} from ION", endpoint);
        } else {
            LOG.info("ION keeps endpoint {} declared (bundles are queued for it, or it is open: see ion.log)", endpoint);
        }
    }

    // ---- receiving ----

    @Override
    public EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException {
        IonNode n = requireNode();
        EndpointId local = local(endpoint, n);
        synchronized (receivers) {
            if (receivers.containsKey(local)) {
                throw new BpException(BpError.ADDRESS_IN_USE, local + " is already registered");
            }
            Pointer sap = openSap(n, local, true);
            Receiver r = new Receiver(n, local, sap, sink, Math.max(1, window));
            receivers.put(local, r);
            r.start();
            return r;
        }
    }

    /** One bound endpoint: a thread in bp_receive, at most {@code window} ADUs with the application. */
    private final class Receiver implements EndpointRegistration {
        private final IonNode node;
        private final EndpointId endpoint;
        private final Pointer sap;
        private final DeliverySink sink;
        private final int window;
        private final Thread thread;
        private int outstanding;
        private boolean stalled;
        private volatile boolean closed;

        Receiver(IonNode node, EndpointId endpoint, Pointer sap, DeliverySink sink, int window) {
            this.node = node;
            this.endpoint = endpoint;
            this.sap = sap;
            this.sink = sink;
            this.window = window;
            this.thread = daemon(this::run, "bp-ion-recv-" + endpoint);
        }

        void start() {
            // What an earlier registration left unacknowledged comes first, in order.
            ArrayDeque<IonDelivery> earlier = held.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
            while (true) {
                IonDelivery d;
                synchronized (earlier) {
                    d = earlier.pollFirst();
                }
                if (d == null) {
                    break;
                }
                hand(new IonDelivery(this, d.delivery, d.bundle));
            }
            thread.start();
        }

        private void hand(IonDelivery d) {
            synchronized (this) {
                outstanding++;
            }
            sink.deliver(d);
        }

        private void run() {
            while (!closed) {
                try {
                    synchronized (this) {
                        while (!closed && (outstanding >= window || stalled)) {
                            wait();
                        }
                    }
                    if (closed) {
                        return;
                    }
                    BpDelivery dlv = new BpDelivery();
                    int result = node.receive(sap, dlv);
                    if (result == Ion.DELIVERY_PAYLOAD) {
                        ReceivedBundle bundle;
                        try {
                            bundle = bundle(dlv);
                        } catch (BpException | RuntimeException e) {
                            LOG.warn("An ADU for {} could not be read and is dropped: {}", endpoint, e.getMessage());
                            node.release(dlv);
                            continue;
                        }
                        hand(new IonDelivery(this, dlv, bundle));
                    } else if (result == Ion.DELIVERY_ENDPOINT_STOPPED) {
                        LOG.warn("ION stopped endpoint {}", endpoint);
                        return;
                    }
                    // Timed out, or interrupted: by close, or spuriously after a receive that found a
                    // queued bundle (ION does that); either way the loop decides.
                } catch (InterruptedException e) {
                    return;
                } catch (BpException e) {
                    LOG.warn("Receiving on {} failed: {}", endpoint, e.getMessage());
                    return;
                }
            }
        }

        private ReceivedBundle bundle(BpDelivery dlv) throws BpException {
            byte[] payload = node.readAdu(dlv, capabilities.maxPayload());
            EndpointId source = EndpointId.parse(dlv.bundleSourceEid == null ? "dtn:none" : dlv.bundleSourceEid.getString(0));
            BundleId id = BundleId.of(source, dlv.bundleCreationTime.msec, Integer.toUnsignedLong(dlv.bundleCreationTime.count));
            return new ReceivedBundle(id, endpoint, Duration.ofMillis(Integer.toUnsignedLong(dlv.timeToLive)),
                    dlv.adminRecord != 0, dlv.ackRequested != 0, java.nio.ByteBuffer.wrap(payload));
        }

        void finished(IonDelivery d, boolean taken) {
            synchronized (this) {
                outstanding--;
                if (!taken && !closed) {
                    stalled = true;
                }
                notifyAll();
            }
            if (taken) {
                node.release(d.delivery);
            } else {
                ArrayDeque<IonDelivery> q = held.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
                synchronized (q) {
                    q.addLast(d);
                }
            }
        }

        @Override
        public EndpointId endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                notifyAll();
            }
            node.interrupt(sap);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            node.close(sap);
            receivers.remove(endpoint, this);
            retire(node, endpoint);
        }
    }

    /** A delivery ION made, released to ION only once the application side has the ADU. */
    private static final class IonDelivery implements Delivery {
        final Receiver receiver;
        final BpDelivery delivery;
        final ReceivedBundle bundle;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

        IonDelivery(Receiver receiver, BpDelivery delivery, ReceivedBundle bundle) {
            this.receiver = receiver;
            this.delivery = delivery;
            this.bundle = bundle;
        }

        @Override
        public ReceivedBundle bundle() {
            return bundle;
        }

        @Override
        public void acknowledge() {
            if (done.compareAndSet(false, true)) {
                receiver.finished(this, true);
            }
        }

        @Override
        public void release() {
            if (done.compareAndSet(false, true)) {
                receiver.finished(this, false);
            }
        }
    }

    // ---- sending ----

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        CompletableFuture<BundleId> result = new CompletableFuture<>();
        try {
            sender.execute(() -> {
                try {
                    result.complete(sendNow(request));
                } catch (BpException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    result.completeExceptionally(new BpException(BpError.BACKEND_FAILURE, "ION backend: " + e, e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new BpException(BpError.NO_BACKEND, "the ION backend is stopping"));
        }
        return result;
    }

    private BundleId sendNow(SendRequest request) throws BpException {
        IonNode n = requireNode();
        BundleOptions o = request.options();
        if (!request.payload().hasRemaining()) {
            // An empty ZCO passes ionCreateZco and bp_send, but ION 4.1.3's convergence layers assert
            // length > 0 when they clone the payload (zco_clone in bpDequeue): tcpcli aborts inside a
            // transaction and the node wedges. Refused here, before ION sees it.
            throw new BpException(BpError.OPTION_NOT_SUPPORTED, "ION 4.1.3 cannot carry an empty ADU: its convergence "
                    + "layers abort on a zero-length payload (zco_clone: length > 0), which wedges the ION node");
        }
        if (request.payload().remaining() > capabilities.maxPayload()) {
            throw new BpException(BpError.MESSAGE_TOO_LONG, "an ADU of " + request.payload().remaining()
                    + " bytes exceeds the ION backend's limit of " + capabilities.maxPayload());
        }
        Pointer sap = null;
        EndpointId source = request.source();
        if (!source.isNull()) {
            EndpointId local = local(source, n);
            source = local;
            sap = sources.get(local);
            if (sap == null) {
                sap = openSap(n, local, false);
                sources.put(local, sap);
            }
        }
        byte[] payload = new byte[request.payload().remaining()];
        request.payload().duplicate().get(payload);
        n.send(sap, request.destination().toString(), o.reportTo().map(EndpointId::toString).orElse(null),
                lifespanSeconds(o.lifetime()), o.classOfService().ordinal(), o.custody().ordinal(), srrFlags(o.statusReports()),
                o.applicationAck(), ancillary(o), payload);
        // libbp does not return the creation timestamp without reading ION's Bundle structure out of the
        // SDR: the ID names the source and a sequence of this backend, with creation time 0 ("unknown").
        return BundleId.of(source, 0, sequence.incrementAndGet());
    }

    /** ION counts lifetimes in whole seconds: round up, so a bundle never lives shorter than asked. */
    static int lifespanSeconds(Duration lifetime) {
        long seconds = (lifetime.toMillis() + 999) / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, seconds));
    }

    /** ION's srrFlags: 1 received, 4 forwarded, 8 delivered, 16 deleted. */
    static int srrFlags(Set<StatusReportKind> kinds) {
        int flags = 0;
        for (StatusReportKind k : kinds) {
            flags |= switch (k) {
                case RECEPTION -> 1;
                case FORWARDING -> 4;
                case DELIVERY -> 8;
                case DELETION -> 16;
            };
        }
        return flags;
    }

    /** Null (ION's default QoS) unless an option needs the ancillary data. */
    static BpAncillaryData ancillary(BundleOptions o) {
        if (o.ordinal() == 0 && !o.mustNotFragment()) {
            return null;
        }
        BpAncillaryData a = new BpAncillaryData();
        a.ordinal = (byte) o.ordinal();
        a.doNotFragment = (byte) (o.mustNotFragment() ? 1 : 0);
        return a;
    }
}
