package org.bpsockets.backend.embedded.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.DtnTime;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.eid.Scheme;
import org.bpsockets.bpv7.AdministrativeRecord;
import org.bpsockets.bpv7.BlockFlags;
import org.bpsockets.bpv7.BlockType;
import org.bpsockets.bpv7.CanonicalBlock;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.bpv7.BundleBuilder;
import org.bpsockets.bpv7.BundleCodec;
import org.bpsockets.bpv7.BundleEditor;
import org.bpsockets.bpv7.BundleFlags;
import org.bpsockets.bpv7.CrcType;
import org.bpsockets.bpv7.DecodeLimits;
import org.bpsockets.bpv7.ExtensionBlocks;
import org.bpsockets.bpv7.Fragmentation;
import org.bpsockets.bpv7.HopCount;
import org.bpsockets.bpv7.MalformedBundleException;
import org.bpsockets.bpv7.QualityOfService;
import org.bpsockets.bpv7.Reassembler;
import org.bpsockets.bpv7.StatusReport;
import org.bpsockets.bpv7.StatusReportReason;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;
import org.bpsockets.node.api.cla.TransmitCallback;
import org.bpsockets.node.api.routing.BundleSummary;
import org.bpsockets.node.api.routing.Contact;
import org.bpsockets.node.api.routing.LinkSummary;
import org.bpsockets.node.api.routing.RouteEntry;
import org.bpsockets.node.api.routing.Router;
import org.bpsockets.node.api.routing.RouterAction;
import org.bpsockets.node.api.routing.RouterEvent;
import org.bpsockets.node.api.routing.RoutingView;
import org.bpsockets.node.api.store.BundleStore;
import org.bpsockets.node.api.store.StoredBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BPv7 node after DTN2's bundle daemon: everything that happens (a bundle created, received, stored,
 * transmitted, delivered, expired; a link or contact changing) is an event on one queue, handled in
 * order by one thread that owns all the node's state. Policy belongs to the {@link Router}, asked at
 * each event; the rest is mechanism: storage, delivery to registrations, links and contacts,
 * fragmentation and reassembly, status reports.
 *
 * <p>Promises kept: an application's send completes, and a peer's transfer is acknowledged, only once
 * the bundle is in the store; a delivery is deleted only once the registration acknowledged it; a
 * bundle is deleted only when nothing is owed for it any more (or its lifetime ended).
 */
public final class NodeCore implements Backend, ClaContext, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeCore.class);
    private static final long TICK_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    /** Block data from this size on is transmitted from where it is stored; smaller bundles go in one array. */
    private static final int SHARED_PAYLOAD = 64 * 1024;
    /** The block types this node processes; others are handled as their processing flags say. */
    private static final Set<Long> PROCESSED_BLOCKS = Set.of(BlockType.PAYLOAD, BlockType.PREVIOUS_NODE,
            BlockType.BUNDLE_AGE, BlockType.HOP_COUNT, BlockType.QUALITY_OF_SERVICE);
    private static final Set<BundleOption> HONOURED = EnumSet.of(BundleOption.LIFETIME, BundleOption.CLASS_OF_SERVICE,
            BundleOption.ORDINAL, BundleOption.STATUS_REPORTS, BundleOption.REPORT_TO, BundleOption.HOP_LIMIT,
            BundleOption.MUST_NOT_FRAGMENT, BundleOption.APPLICATION_ACK);

    private final NodeSettings settings;
    private final BundleStore store;
    private final DecodeLimits limits;
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    /** Events that go before those in {@link #events} (see {@link #postFirst}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> urgent =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final Runnable NOTHING = () -> { };
    private final Thread daemon;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong lastCreationTime = new AtomicLong();
    final BundleLedger ledger = new BundleLedger();
    /** Creation-to-delivery time of what this node's applications received (bp:node, the metrics). */
    final DeliveryLatency deliveryLatency = new DeliveryLatency();
    /** Refusals of what peers sent, per peer, so a peer sending garbage cannot flood the log. */
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, 10_000, NodeCore::monotonicMillis);
    /** Bundles whose block numbers were repaired, per peer. */
    private final RateLimitedLog repairs = new RateLimitedLog(LOG, 60_000, NodeCore::monotonicMillis);
    /** Deletions, per reason: each is said, but a mass expiry does not flood the log. */
    private final RateLimitedLog deletions = new RateLimitedLog(LOG, 10_000, NodeCore::monotonicMillis);
    /** Failed attempts to open a configured link: retried every second while its network is unreachable. */
    private final RateLimitedLog attempts = new RateLimitedLog(LOG, 60_000, NodeCore::monotonicMillis);
    /** The status reports this node's administrative endpoint received, newest last (bp:reports). */
    final RecentReports reports = new RecentReports(256);
    /** Why the store last refused a bundle, or null if it took the last one. */
    private volatile String storeFailure;
    private final Map<String, ConvergenceLayer> layers = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile Router router;

    // ---- owned by the event thread ----
    private long nextKey = 1;
    private final Map<Long, BundleEntry> bundles = new HashMap<>();
    private final Map<BundleId, Long> keysById = new HashMap<>();
    /**
     * Bundles already handled and let go, until they expire: a copy arriving again is a duplicate. In the
     * order they were let go, and at most {@link #DUPLICATE_MEMORY} of them: a node that forwards without
     * pause would otherwise hold every bundle ID of a whole lifetime (a day by default) in memory.
     */
    private final LinkedHashMap<BundleId, Long> seenUntil = new LinkedHashMap<>();
    /** About 15 MB of IDs; beyond, the oldest are forgotten early (counted, said once a minute). */
    static final int DUPLICATE_MEMORY = 100_000;
    private int duplicateMemory = DUPLICATE_MEMORY;
    private final RateLimitedLog forgottenEarly = new RateLimitedLog(LOG, 60_000, NodeCore::monotonicMillis);
    private final PriorityQueue<long[]> expiries = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final Map<EndpointId, NodeRegistration> registrations = new HashMap<>();
    private final Map<String, LinkRecord> links = new LinkedHashMap<>();
    /** The counters of the links that are open, by link ID: the layers' threads count refusals there. */
    private final Map<String, LinkCounters> linkCounters = new ConcurrentHashMap<>();
    private final Map<String, ConfiguredLink> configured = new LinkedHashMap<>();
    private List<RouteEntry> routes = List.of();
    private List<Contact> contacts = List.of();
    private final Map<String, Boolean> contactOpen = new HashMap<>();
    private final Reassembler reassembler = new Reassembler(256L << 20);
    /** Local fragments by their original bundle's identity (source, time, sequence), waiting for the rest. */
    private final Map<BundleId, List<Long>> fragmentKeys = new HashMap<>();
    private long storedBytes;
    /** The next tick on the monotonic clock: a step of the wall clock must not stop the node's timers. */
    private long nextTickNanos = System.nanoTime();

    public NodeCore(NodeSettings settings, BundleStore store, Router router) {
        this.settings = settings;
        this.store = store;
        this.router = router;
        this.limits = new DecodeLimits(settings.maxBundleSize(), 256, 1024);
        this.daemon = new Thread(this::run, "bp-node-" + settings.nodeId());
        this.daemon.setDaemon(true);
        recover();
        this.daemon.start();
    }

    // =====================================================================================
    // Threads: everything below "event thread" runs on the daemon; the rest posts to it.
    // =====================================================================================

    private void post(Runnable event) {
        events.add(event);
    }

    /**
     * Posts an event that runs before every event already queued: an application's verdict on a
     * delivery. Behind a backlog of arrivals it waited seconds, and a delivered bundle stays in the
     * store until it runs, to be delivered again if the node dies meanwhile (decision 0015).
     */
    private void postFirst(Runnable event) {
        urgent.add(event);
        events.add(NOTHING); // wakes the loop if it waits
    }

    private void handle(Runnable event) {
        if (event == NOTHING) {
            return;
        }
        ledger.events.incrementAndGet();
        try {
            event.run();
        } catch (RuntimeException ex) {
            LOG.error("Handling a node event failed", ex);
        }
    }

    /** Runs a query on the event thread and waits for its answer (for the shell and tests). */
    <T> T call(Supplier<T> query) {
        if (Thread.currentThread() == daemon) {
            return query.get();
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        post(() -> {
            try {
                answer.complete(query.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the node did not answer: " + e, e);
        }
    }

    private void run() {
        List<Runnable> batch = new ArrayList<>();
        while (running) {
            try {
                long wait = untilNextWakeUp();
                Runnable first = events.poll(Math.min(wait, TICK_MILLIS), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    events.drainTo(batch, 4096);
                    for (Runnable e : batch) {
                        for (Runnable u = urgent.poll(); u != null; u = urgent.poll()) {
                            handle(u);
                        }
                        handle(e);
                    }
                    batch.clear();
                }
                timers();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Node event loop failure", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        daemon.interrupt();
        try {
            daemon.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LinkRecord l : new ArrayList<>(links.values())) {
            l.link.close();
        }
        for (NodeRegistration r : registrations.values()) {
            r.closed = true;
        }
    }

    // =====================================================================================
    // Backend (the registry's view)
    // =====================================================================================

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(HONOURED, EnumSet.allOf(Scheme.class), settings.maxBundleSize() - 1024);
    }

    @Override
    public BackendHealth health() {
        long up = links.values().stream().filter(l -> l.link.state() == LinkState.UP).count();
        return BackendHealth.up(settings.nodeId() + ", " + store.count() + " bundles stored (" + store.name() + "), "
                + up + " links up");
    }

    @Override
    public Optional<EndpointId> nodeId() {
        return Optional.of(settings.nodeId());
    }

    @Override
    public EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException {
        EndpointId local = localForm(endpoint);
        if (!isLocal(local)) {
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE,
                    endpoint + " is not an endpoint of this node (" + settings.nodeId() + ")");
        }
        if (local.isNodeId()) {
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE,
                    local + " is the node's administrative endpoint; applications use other services");
        }
        if (settings.echo() && local.equals(settings.echoEndpoint())) {
            throw new BpException(BpError.ADDRESS_IN_USE, local + " is the node's echo agent");
        }
        NodeRegistration registration = new NodeRegistration(this, local, sink, Math.max(1, window));
        BpException refused = call(() -> {
            NodeRegistration old = registrations.get(local);
            if (old != null && !old.closed) {
                return new BpException(BpError.ADDRESS_IN_USE, local + " is already registered");
            }
            registrations.put(local, registration);
            for (BundleEntry e : bundles.values()) {
                if (e.delivery == BundleEntry.Delivery.PENDING && local.equals(localForm(e.bundle.primary().destination()))) {
                    registration.pending.add(e.key);
                }
            }
            pumpRegistration(registration);
            return null;
        });
        if (refused != null) {
            throw refused;
        }
        return registration;
    }

    /** Unacknowledged deliveries of a closed registration wait for the endpoint's next one. */
    void closeRegistration(NodeRegistration registration) {
        // Closed at once, not when the event is handled: a delivery handed back meanwhile (acknowledgements
        // and releases go ahead of other events) must not be offered to it again, or a sink that
        // releases as it closes would get it back for ever.
        registration.closed = true;
        post(() -> {
            if (registrations.get(registration.endpoint) == registration) {
                registrations.remove(registration.endpoint);
            }
            for (BundleEntry e : bundles.values()) {
                if (e.delivery == BundleEntry.Delivery.OFFERED && e.offeredTo == registration) {
                    e.delivery = BundleEntry.Delivery.PENDING;
                    e.offeredTo = null;
                }
            }
        });
    }

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        Bundle bundle;
        try {
            bundle = build(request);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedFuture(new BpException(BpError.INVALID_ARGUMENT, e.getMessage(), e));
        }
        byte[] bytes = bundle.encode();
        if (bytes.length > settings.maxBundleSize()) {
            return CompletableFuture.failedFuture(new BpException(BpError.MESSAGE_TOO_LONG,
                    "the bundle would be " + bytes.length + " bytes; this node accepts " + settings.maxBundleSize()));
        }
        CompletableFuture<BundleId> done = new CompletableFuture<>();
        ClassOfService priority = request.options().classOfService();
        post(() -> accept(bundle, bytes, priority, null, done, null));
        return done;
    }

    private Bundle build(SendRequest request) {
        BundleOptions o = request.options();
        EndpointId source = request.source().isNull() ? DtnEndpointId.NONE : localForm(request.source());
        long flags = 0;
        for (StatusReportKind kind : o.statusReports()) {
            flags |= BundleFlags.of(kind);
        }
        if (o.mustNotFragment() || source.isNull()) {
            flags |= BundleFlags.MUST_NOT_FRAGMENT;
        }
        if (o.applicationAck()) {
            flags |= BundleFlags.APP_ACK_REQUESTED;
        }
        if (source.isNull() && (flags & BundleFlags.REPORT_MASK) != 0) {
            throw new IllegalArgumentException("an anonymous bundle (source dtn:none) cannot ask for status reports");
        }
        BundleBuilder b = Bundle.builder().destination(request.destination()).source(source)
                .reportTo(o.reportTo().map(this::localForm).orElse(source)).flags(flags).lifetime(o.lifetime().toMillis());
        long[] ts = nextCreationTimestamp();
        b.creationTimestamp(ts[0], ts[1]);
        if (o.hopLimit().isPresent()) {
            b.hopCount(HopCount.withLimit(o.hopLimit().getAsInt()), CrcType.NONE);
        }
        if (o.classOfService() != ClassOfService.NORMAL || o.ordinal() != 0) {
            b.addBlock(BlockType.QUALITY_OF_SERVICE, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.NONE,
                    ExtensionBlocks.encodeQualityOfService(QualityOfService.of(o.classOfService().ordinal(), o.ordinal())));
        }
        // The request hands its payload over: kept, not copied, unless it is read-only (SendRequest).
        return b.payload(request.payload(), 0, CrcType.NONE).build();
    }

    /** DTN time in ms and a sequence number that never repeats for one creation time. */
    private long[] nextCreationTimestamp() {
        long now = DtnTime.now();
        long last = lastCreationTime.getAndAccumulate(now, Math::max);
        return new long[] {Math.max(now, last), sequence.getAndIncrement()};
    }

    // =====================================================================================
    // ClaContext (the convergence layers' view)
    // =====================================================================================

    @Override
    public EndpointId localNodeId() {
        return settings.nodeId();
    }

    @Override
    public long maxBundleSize() {
        return settings.maxBundleSize();
    }

    @Override
    public void linkUp(Link link) {
        post(() -> onLinkUp(link));
    }

    @Override
    public void linkWritable(Link link) {
        post(() -> {
            LinkRecord r = links.get(link.id());
            if (r != null) {
                pumpLink(r);
            }
        });
    }

    @Override
    public void linkDown(Link link, String reason) {
        post(() -> onLinkDown(link, reason));
    }

    @Override
    public void received(Link link, ByteBuffer bundle, Receipt receipt) {
        // Decoded here, on the layer's thread. The layer hands the bytes over (ClaContext.received): an
        // array wrapped whole is kept as it is, anything else copied.
        byte[] copy;
        if (bundle.hasArray() && bundle.arrayOffset() == 0 && bundle.position() == 0
                && bundle.remaining() == bundle.array().length) {
            copy = bundle.array();
        } else {
            copy = new byte[bundle.remaining()];
            bundle.duplicate().get(copy);
        }
        Bundle decoded;
        try {
            decoded = BundleCodec.decode(copy, limits);
        } catch (MalformedBundleException e) {
            boolean tooLarge = e.reason() == MalformedBundleException.Reason.BUNDLE_TOO_LARGE;
            // Counted before the refusal completes the receipt: whoever waits on it sees the count.
            refusedFromPeer(link, tooLarge ? "too large" : "malformed", null, e.reason() + ": " + e.getMessage());
            receipt.refused(tooLarge ? RefusalReason.TOO_LARGE : RefusalReason.MALFORMED);
            return;
        }
        if (decoded.repaired()) {
            ledger.repairedBlockNumbers.incrementAndGet();
            LinkCounters c = linkCounters.get(link.id());
            if (c != null) {
                c.problem("repaired block numbers of " + decoded.bundleId());
            }
            repairs.info(link.remoteAddress(), "Bundle {} from {} (link {}): {} extension blocks numbered 0 were "
                    + "renumbered (ION 4.1.3's fragments; docs/decisions/0010)", decoded.bundleId(),
                    link.remoteAddress(), link.id(), decoded.renumberedBlocks());
        }
        post(() -> onReceived(link, decoded, copy, receipt));
    }

    /**
     * A bundle from a peer the node does not accept: counted (node and link) and said at WARN, at most
     * once per peer every 10 s. Called on the layer's or the event thread; counted before the caller
     * completes the receipt.
     */
    private void refusedFromPeer(Link link, String why, BundleId id, String detail) {
        ledger.refused(why);
        LinkCounters c = linkCounters.get(link.id());
        if (c != null) {
            c.refused(why + (id == null ? "" : " " + id) + ": " + detail);
        }
        refusals.warn(link.remoteAddress(), "Refused a bundle{} from {} (link {}, {}): {}: {}",
                id == null ? "" : " " + id, link.remoteAddress(), link.id(), link.convergenceLayer(), why, detail);
    }

    /** Why a bundle of {@code size} bytes cannot be stored now, or null if it can. */
    private String storeFull(long size) {
        if (storedBytes + size > settings.maxStoredBytes()) {
            return "the node's storage quota of " + settings.maxStoredBytes() + " bytes is used up ("
                    + storedBytes + " stored; maxStoredBytes in etc/org.bpsockets.node.cfg)";
        }
        long free = store.usableSpace();
        if (free - size < settings.minFreeDiskBytes()) {
            return "the store's file system has " + free + " bytes free; the node keeps at least "
                    + settings.minFreeDiskBytes() + " free (minFreeDiskBytes in etc/org.bpsockets.node.cfg)";
        }
        return null;
    }

    /** A word on the store for bp:status: empty while it takes bundles. */
    String storeProblem() {
        String failure = storeFailure;
        if (failure != null) {
            return "store failing: " + failure;
        }
        String full = storeFull(0);
        return full == null ? "" : "store full: " + full;
    }

    // =====================================================================================
    // Convergence layers and configuration (from the OSGi component)
    // =====================================================================================

    void addConvergenceLayer(ConvergenceLayer layer) {
        layers.put(layer.name(), layer);
        post(this::contactManager);
    }

    void removeConvergenceLayer(ConvergenceLayer layer) {
        layers.remove(layer.name(), layer);
    }

    void setRouter(Router newRouter) {
        post(() -> {
            router = newRouter;
            route(new RouterEvent.ConfigurationChanged());
        });
    }

    void configure(List<LinkDefinition> linkDefinitions, List<RouteEntry> newRoutes, List<Contact> newContacts) {
        post(() -> {
            Map<String, LinkDefinition> wanted = new LinkedHashMap<>();
            for (LinkDefinition d : linkDefinitions) {
                wanted.put(d.name(), d);
            }
            boolean changed = !newRoutes.equals(routes) || !newContacts.equals(contacts) || changedLinks(wanted);
            for (Iterator<ConfiguredLink> it = configured.values().iterator(); it.hasNext();) {
                ConfiguredLink c = it.next();
                LinkDefinition d = wanted.get(c.definition.name());
                if (d == null || !d.equals(c.definition)) {
                    if (c.current != null) {
                        c.current.link.close();
                    }
                    it.remove();
                }
            }
            for (LinkDefinition d : wanted.values()) {
                configured.computeIfAbsent(d.name(), n -> new ConfiguredLink(d));
            }
            if (changed) {
                LOG.info("Configuration applied: links {}, routes {}, contacts {}", wanted.keySet(),
                        newRoutes.stream().map(RouteEntry::name).toList(),
                        newContacts.stream().map(Contact::name).toList());
            }
            routes = List.copyOf(newRoutes);
            contacts = List.copyOf(newContacts);
            contactManager();
            route(new RouterEvent.ConfigurationChanged());
        });
    }

    /** Whether the wanted links differ from those configured now (called before they are applied). */
    private boolean changedLinks(Map<String, LinkDefinition> wanted) {
        if (wanted.size() != configured.size()) {
            return true;
        }
        for (LinkDefinition d : wanted.values()) {
            ConfiguredLink c = configured.get(d.name());
            if (c == null || !c.definition.equals(d)) {
                return true;
            }
        }
        return false;
    }

    // =====================================================================================
    // Event thread: bundles in
    // =====================================================================================

    private void onReceived(Link link, Bundle bundle, byte[] bytes, Receipt receipt) {
        EndpointId source = bundle.primary().source();
        EndpointId destination = bundle.primary().destination();
        // RFC 9758 §5.4: LocalNode EIDs never come from outside.
        if (isLocalNodeForm(source) || isLocalNodeForm(destination)) {
            // Counted before the refusal completes the receipt: whoever waits on it sees the count.
            refusedFromPeer(link, "malformed", bundle.bundleId(), "an ipn:!.S (LocalNode) EID came from outside");
            receipt.refused(RefusalReason.MALFORMED);
            return;
        }
        if (keysById.containsKey(bundle.bundleId()) || seen(bundle.bundleId())) {
            refusedFromPeer(link, "duplicate", bundle.bundleId(), "the node has, or had, this bundle already");
            receipt.refused(RefusalReason.DUPLICATE);
            return;
        }
        // RFC 9171 §5.6 step 3: blocks this node cannot process are handled as their flags say.
        BundleEditor edit = null;
        boolean report = false;
        for (CanonicalBlock block : bundle.blocks()) {
            if (PROCESSED_BLOCKS.contains(block.type())) {
                continue;
            }
            ledger.unprocessableBlocks.incrementAndGet();
            report |= block.hasFlag(BlockFlags.REPORT_IF_UNPROCESSABLE);
            if (block.hasFlag(BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE)) {
                receipt.accepted();
                if (report) {
                    report(bundle, StatusReportKind.RECEPTION, StatusReportReason.BLOCK_UNSUPPORTED, true);
                }
                // Accepted (the peer is done with it) and deleted at once, as the block's flags ask.
                ledger.received.incrementAndGet();
                ledger.deleted(StatusReportReason.BLOCK_UNSUPPORTED);
                LOG.info("Deleted bundle {} from {}: block type {} is unsupported and asks for deletion",
                        bundle.bundleId(), link.remoteAddress(), block.type());
                report(bundle, StatusReportKind.DELETION, StatusReportReason.BLOCK_UNSUPPORTED, false);
                remember(bundle.bundleId(), expiry(bundle, System.currentTimeMillis()));
                return;
            }
            if (block.hasFlag(BlockFlags.DISCARD_BLOCK_IF_UNPROCESSABLE)) {
                edit = edit == null ? bundle.edit() : edit;
                edit.removeBlock(block.number());
            }
        }
        if (report) {
            report(bundle, StatusReportKind.RECEPTION, StatusReportReason.BLOCK_UNSUPPORTED, true);
        }
        if (edit != null) {
            bundle = edit.build();
            bytes = bundle.encode();
        }
        accept(bundle, bytes, classOfService(bundle), link.id(), null, receipt);
    }

    /** The class of service a received bundle asks for in ION's QoS block; NORMAL without one. */
    private static ClassOfService classOfService(Bundle bundle) {
        QualityOfService qos = qualityOfService(bundle);
        return qos == null ? ClassOfService.NORMAL : ClassOfService.values()[qos.classOfService()];
    }

    private static QualityOfService qualityOfService(Bundle bundle) {
        CanonicalBlock block = bundle.firstBlockOfType(BlockType.QUALITY_OF_SERVICE);
        if (block == null) {
            return null;
        }
        try {
            return ExtensionBlocks.decodeQualityOfService(block.data());
        } catch (MalformedBundleException e) {
            return null; // kept and forwarded as an unknown block would be; it only cannot raise the priority
        }
    }

    /** A bundle enters the node (created here or received): checked, stored, then dispatched. */
    private void accept(Bundle bundle, byte[] bytes, ClassOfService priority, String fromLink,
            CompletableFuture<BundleId> created, Receipt receipt) {
        long now = System.currentTimeMillis();
        long expiresAt = expiry(bundle, now);
        ByteBuffer encoded = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        String noSpace = storeFull(encoded.remaining());
        if (noSpace != null) {
            ledger.refused("no space");
            refusals.warn("store", "Refused bundle {} ({} bytes{}): {}", bundle.bundleId(), encoded.remaining(),
                    fromLink == null ? "" : " from link " + fromLink, noSpace);
            if (created != null) {
                created.completeExceptionally(new BpException(BpError.NO_BUFFER_SPACE, noSpace));
            }
            if (receipt != null) {
                receipt.refused(RefusalReason.NO_RESOURCES);
            }
            return;
        }
        BundleEntry e = new BundleEntry(nextKey++, bundle, encoded, expiresAt, priority, fromLink);
        e.created = created;
        e.receipt = receipt;
        bundles.put(e.key, e);
        keysById.put(e.id, e.key);
        storedBytes += encoded.remaining();
        expiries.add(new long[] {expiresAt, e.key});
        // The store gets the array itself (not the node's read-only view) so that it can keep it uncopied.
        store.put(e.key, ByteBuffer.wrap(bytes), e.persistedState())
                .whenComplete((v, failure) -> post(() -> stored(e, failure)));
    }

    private void stored(BundleEntry e, Throwable failure) {
        if (e.deleted) {
            return; // refused meanwhile (forget() answered its sender)
        }
        if (failure != null) {
            storeFailure = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            ledger.refused("store failure");
            refusals.warn("store", "Refused bundle {}: the store could not keep it ({})", e.id, storeFailure);
            if (e.created != null) {
                e.created.completeExceptionally(new BpException(BpError.NO_BUFFER_SPACE,
                        "the node's store could not keep the bundle: " + storeFailure));
                e.created = null;
            }
            if (e.receipt != null) {
                e.receipt.refused(RefusalReason.NO_RESOURCES);
                e.receipt = null;
            }
            forget(e);
            return;
        }
        storeFailure = null;
        e.stored = true;
        if (e.receipt != null && e.receivedFrom != null) {
            LinkCounters c = linkCounters.get(e.receivedFrom);
            if (c != null) {
                c.received(e.encoded.remaining());
            }
        }
        (e.created != null ? ledger.created : e.receipt != null ? ledger.received : ledger.generated).incrementAndGet();
        if (e.created != null) {
            e.created.complete(e.id);
            e.created = null;
        }
        if (e.receipt != null) {
            e.receipt.accepted();
            e.receipt = null;
            report(e, StatusReportKind.RECEPTION, StatusReportReason.NO_ADDITIONAL_INFORMATION);
        }
        if (e.deleted) {
            return;
        }
        if (e.expiresAt <= System.currentTimeMillis()) {
            delete(e, StatusReportReason.LIFETIME_EXPIRED);
            return;
        }
        dispatch(e);
    }

    /** Local delivery, administrative records, or the router. */
    private void dispatch(BundleEntry e) {
        EndpointId destination = localForm(e.bundle.primary().destination());
        if (!isLocal(destination)) {
            HopCount hops = e.bundle.hopCount();
            if (hops != null && hops.incremented().exceeded()) {
                delete(e, StatusReportReason.HOP_LIMIT_EXCEEDED);
                return;
            }
            if (e.forwarding != BundleEntry.Forwarding.DONE) {
                e.forwarding = BundleEntry.Forwarding.WAITING;
                route(new RouterEvent.BundleArrived(summary(e)));
            }
            return;
        }
        if (destination.isNodeId()) {
            administrativeRecord(e);
            return;
        }
        if (settings.echo() && destination.equals(settings.echoEndpoint()) && !e.bundle.primary().isFragment()
                && e.delivery != BundleEntry.Delivery.DONE) {
            echo(e);
            return;
        }
        if (e.delivery == BundleEntry.Delivery.DONE) {
            finishIfDone(e);
            return;
        }
        if (e.bundle.primary().isFragment()) {
            reassemble(e);
            return;
        }
        e.delivery = BundleEntry.Delivery.PENDING;
        NodeRegistration r = registrations.get(destination);
        if (r != null && !r.closed) {
            r.pending.add(e.key);
            pumpRegistration(r);
        }
    }

    private void reassemble(BundleEntry fragment) {
        fragment.delivery = BundleEntry.Delivery.PENDING;
        BundleId whole = BundleId.of(fragment.id.source(), fragment.id.creationTime(), fragment.id.sequence());
        fragmentKeys.computeIfAbsent(whole, k -> new ArrayList<>()).add(fragment.key);
        Reassembler.Result result = reassembler.offer(fragment.bundle);
        switch (result.status()) {
            case COMPLETE:
                ledger.reassembled.incrementAndGet();
                List<Long> parts = fragmentKeys.remove(whole);
                // The whole ADU is delivered from memory; its fragments stay stored until it is acknowledged.
                BundleEntry entire = new BundleEntry(-fragment.key, result.bundle(), null, fragment.expiresAt,
                        fragment.priority, fragment.receivedFrom);
                entire.fragmentParts = parts;
                entire.delivery = BundleEntry.Delivery.PENDING;
                bundles.put(entire.key, entire);
                EndpointId destination = localForm(entire.bundle.primary().destination());
                NodeRegistration r = registrations.get(destination);
                if (r != null && !r.closed) {
                    r.pending.add(entire.key);
                    pumpRegistration(r);
                }
                break;
            case INCOMPLETE:
                break;
            default:
                LOG.warn("Fragment {} could not be reassembled ({})", fragment.id, result.status());
                for (Long k : fragmentKeys.getOrDefault(whole, List.of())) {
                    BundleEntry part = bundles.get(k);
                    if (part != null) {
                        delete(part, StatusReportReason.DEPLETED_STORAGE);
                    }
                }
                fragmentKeys.remove(whole);
                break;
        }
    }

    /** The echo agent: the payload goes back to the source, from the echo endpoint. */
    private void echo(BundleEntry e) {
        e.delivery = BundleEntry.Delivery.DONE;
        ledger.delivered.incrementAndGet();
        deliveryLatency.record(e.bundle.primary().creationTime(), DtnTime.now());
        // The echo service is an application of this node: the bundle was delivered to it.
        report(e, StatusReportKind.DELIVERY, StatusReportReason.NO_ADDITIONAL_INFORMATION);
        EndpointId source = e.bundle.primary().source();
        if (!source.isNull() && !e.bundle.primary().isAdminRecord()) {
            byte[] payload = new byte[e.bundle.payloadLength()];
            e.bundle.payload().duplicate().get(payload);
            long[] ts = nextCreationTimestamp();
            Bundle reply = Bundle.builder().destination(source).source(settings.echoEndpoint())
                    .reportTo(settings.echoEndpoint()).creationTimestamp(ts[0], ts[1])
                    .lifetime(e.bundle.primary().lifetime()).payload(payload).build();
            accept(reply, reply.encode(), ClassOfService.NORMAL, null, null, null);
        }
        finishIfDone(e);
    }

    private void administrativeRecord(BundleEntry e) {
        e.delivery = BundleEntry.Delivery.DONE;
        ledger.delivered.incrementAndGet(); // to the node's administrative element
        if (e.bundle.primary().isAdminRecord()) {
            try {
                AdministrativeRecord record = AdministrativeRecord.of(e.bundle);
                if (record.isStatusReport()) {
                    ledger.reportsReceived.incrementAndGet();
                    StatusReport report = record.statusReport();
                    LOG.debug("Status report about {}: {}", report.subject(), report);
                    reports.add(e.bundle.primary().source(), report);
                }
            } catch (MalformedBundleException ex) {
                refusals.warn(String.valueOf(e.bundle.primary().source()),
                        "Administrative record {} from {} cannot be read: {}", e.id, e.bundle.primary().source(),
                        ex.getMessage());
                ledger.refused("unreadable administrative record");
            }
        }
        finishIfDone(e);
    }

    // =====================================================================================
    // Event thread: delivery to registrations
    // =====================================================================================

    private void pumpRegistration(NodeRegistration r) {
        while (!r.closed && r.outstanding < r.window && !r.pending.isEmpty()) {
            BundleEntry e = bundles.get(r.pending.poll());
            if (e == null || e.deleted || e.delivery != BundleEntry.Delivery.PENDING) {
                continue;
            }
            e.delivery = BundleEntry.Delivery.OFFERED;
            e.offeredTo = r;
            r.outstanding++;
            Bundle b = e.bundle;
            ReceivedBundle adu = new ReceivedBundle(BundleId.of(b.primary().source(), b.primary().creationTime(),
                    b.primary().sequenceNumber()), b.primary().destination(), Duration.ofMillis(b.primary().lifetime()),
                    b.primary().isAdminRecord(), b.primary().hasFlag(BundleFlags.APP_ACK_REQUESTED), b.payload());
            r.sink.deliver(new NodeDelivery(this, r, e.key, adu));
        }
    }

    /**
     * A registration's verdict on one delivery. An acknowledgement always counts (the application has
     * the ADU, even if its registration closed meanwhile); a release counts only while the bundle is
     * still offered to that registration.
     */
    void deliveryDone(NodeRegistration r, long key, boolean acknowledged) {
        postFirst(() -> {
            r.outstanding--;
            BundleEntry e = bundles.get(key);
            if (e != null && !e.deleted && e.delivery != BundleEntry.Delivery.DONE) {
                if (acknowledged) {
                    e.delivery = BundleEntry.Delivery.DONE;
                    e.offeredTo = null;
                    // A reassembled ADU ends the fragments it was made of: those are what the node accepted.
                    ledger.delivered.addAndGet(e.fragmentParts == null ? 1 : e.fragmentParts.size());
                    deliveryLatency.record(e.bundle.primary().creationTime(), DtnTime.now());
                    report(e, StatusReportKind.DELIVERY, StatusReportReason.NO_ADDITIONAL_INFORMATION);
                    finishIfDone(e);
                } else if (e.delivery == BundleEntry.Delivery.OFFERED && e.offeredTo == r) {
                    e.delivery = BundleEntry.Delivery.PENDING;
                    e.offeredTo = null;
                    NodeRegistration current = registrations.get(r.endpoint);
                    if (current != null && !current.closed) {
                        current.pending.addFirst(key);
                        pumpRegistration(current);
                    }
                }
            }
            pumpRegistration(r);
        });
    }

    // =====================================================================================
    // Event thread: routing and forwarding
    // =====================================================================================

    private void route(RouterEvent event) {
        Router current = router;
        if (current == null) {
            return;
        }
        List<RouterAction> actions;
        try {
            actions = current.handle(event, new View());
        } catch (RuntimeException e) {
            LOG.error("Router '{}' failed on {}", current.name(), event, e);
            return;
        }
        for (RouterAction a : actions) {
            if (a instanceof RouterAction.Forward f) {
                forward(f);
            } else if (a instanceof RouterAction.Delete d) {
                Long key = keysById.get(d.bundle());
                if (key != null) {
                    delete(bundles.get(key), StatusReportReason.ofCode(d.reasonCode()));
                }
            } else if (a instanceof RouterAction.OpenLink o) {
                ConfiguredLink c = configured.get(o.linkName());
                if (c != null && c.definition.mode() == LinkDefinition.Mode.ON_DEMAND && c.current == null) {
                    connect(c);
                }
            } else if (a instanceof RouterAction.CloseLink c) {
                ConfiguredLink cl = configured.get(c.linkName());
                if (cl != null && cl.current != null) {
                    cl.current.link.close();
                }
            }
        }
    }

    private void forward(RouterAction.Forward f) {
        Long key = keysById.get(f.bundle());
        LinkRecord r = links.get(f.linkId());
        BundleEntry e = key == null ? null : bundles.get(key);
        if (e == null || r == null || e.forwarding != BundleEntry.Forwarding.WAITING
                || r.link.state() != LinkState.UP) {
            return;
        }
        e.forwarding = BundleEntry.Forwarding.QUEUED;
        e.queuedOn = r.link.id();
        e.attempt++;
        e.fragmentsInFlight = 0;
        r.enqueue(e);
        pumpLink(r);
    }

    /**
     * Hands queued bundles to a link until it refuses (then {@code linkWritable} resumes) or the
     * contact's rate is spent (then the next tick does). A bundle's units (fragments) go in order.
     */
    private void pumpLink(LinkRecord r) {
        long now = monotonicMillis();
        while (r.link.state() == LinkState.UP) {
            if (r.partialUnits == null) {
                BundleEntry next = r.peek(bundles);
                if (next == null) {
                    return;
                }
                r.poll();
                List<ByteBuffer[]> units = transmissionUnits(next, r.link.maxBundleSize());
                if (units == null) {
                    next.forwarding = BundleEntry.Forwarding.WAITING;
                    next.queuedOn = null;
                    route(new RouterEvent.TransmitFailed(summary(next), r.summary(), "too large for the link"));
                    continue;
                }
                if (units.isEmpty()) {
                    continue;
                }
                if (units.size() > 1) {
                    ledger.fragmentsSent.addAndGet(units.size());
                }
                r.partialKey = next.key;
                r.partialUnits = new ArrayDeque<>(units);
            }
            BundleEntry e = bundles.get(r.partialKey);
            if (e == null || e.deleted || !r.link.id().equals(e.queuedOn)) {
                r.partialUnits = null;
                continue;
            }
            // The contact's rate is charged per unit (fragment or datagram), so a large bundle is spread
            // over the contact instead of going out at once; the next tick resumes it.
            while (!r.partialUnits.isEmpty()) {
                if (!r.mayTransmit(now)) {
                    return;
                }
                long unitBytes = 0;
                for (ByteBuffer part : r.partialUnits.peek()) {
                    unitBytes += part.remaining();
                }
                if (!r.link.transmit(r.partialUnits.peek(), new Callback(r.link.id(), e.key, e.attempt))) {
                    return;
                }
                r.spent(unitBytes);
                r.partialUnits.poll();
                e.fragmentsInFlight++;
            }
            r.partialUnits = null;
        }
    }

    /**
     * The bytes to transmit for a bundle: the bundle as this node forwards it (previous node, bundle
     * age and hop count updated), split into fragments if it is larger than the link takes or than the
     * configured fragment size. Empty if the bundle must be dropped (deleted here); null if it cannot
     * go on this link. A whole bundle goes in parts: the re-encoded blocks and, not copied, the payload it
     * was stored with (issue 18: a copy of a 10 MB payload per transmission was a tenth of its time).
     */
    private List<ByteBuffer[]> transmissionUnits(BundleEntry e, long linkMax) {
        Bundle b = e.bundle;
        BundleEditor edit = b.edit();
        edit.setPreviousNode(settings.nodeId(), CrcType.NONE);
        if (b.hopCount() != null) {
            HopCount hops = edit.incrementHopCount();
            if (hops.exceeded()) {
                delete(e, StatusReportReason.HOP_LIMIT_EXCEEDED);
                return List.of();
            }
        }
        if (b.primary().creationTime() == 0 || b.firstBlockOfType(BlockType.BUNDLE_AGE) != null) {
            long dwell = monotonicMillis() - e.arrivedAt;
            edit.setBundleAge(Math.max(0, b.bundleAge()) + dwell, CrcType.NONE);
        }
        Bundle out = edit.build();
        long fragmentPayload = settings.fragmentPayload();
        boolean tooBig = out.encodedLength() > linkMax;
        if (!tooBig && (fragmentPayload == 0 || out.payloadLength() <= fragmentPayload)) {
            return List.<ByteBuffer[]>of(out.encodeParts(SHARED_PAYLOAD));
        }
        if (!Fragmentation.mayFragment(out)) {
            return tooBig ? null : List.<ByteBuffer[]>of(out.encodeParts(SHARED_PAYLOAD));
        }
        int overhead = out.encodedLength() - out.payloadLength() + 64;
        long size = fragmentPayload > 0 ? fragmentPayload : out.payloadLength();
        if (tooBig) {
            size = Math.min(size, linkMax - overhead);
        }
        if (size <= 0) {
            return null;
        }
        List<ByteBuffer[]> units = new ArrayList<>();
        for (Bundle f : Fragmentation.fragment(out, (int) Math.min(Integer.MAX_VALUE, size))) {
            units.add(new ByteBuffer[] {ByteBuffer.wrap(f.encode())});
        }
        return units;
    }

    private final class Callback implements TransmitCallback {
        private final String linkId;
        private final long key;
        private final int attempt;

        Callback(String linkId, long key, int attempt) {
            this.linkId = linkId;
            this.key = key;
            this.attempt = attempt;
        }

        @Override
        public void transmitted() {
            post(() -> transmitDone(linkId, key, attempt, null));
        }

        @Override
        public void failed(String reason) {
            post(() -> transmitDone(linkId, key, attempt, reason == null ? "failed" : reason));
        }
    }

    private void transmitDone(String linkId, long key, int attempt, String failure) {
        BundleEntry e = bundles.get(key);
        LinkRecord r = links.get(linkId);
        if (e == null || e.deleted || e.attempt != attempt || e.forwarding != BundleEntry.Forwarding.QUEUED
                || !linkId.equals(e.queuedOn)) {
            if (r != null) {
                pumpLink(r);
            }
            return;
        }
        boolean unitsLeft = r != null && r.partialUnits != null && r.partialKey == key;
        if (failure == null) {
            e.fragmentsInFlight--;
            if (e.fragmentsInFlight == 0 && !unitsLeft) {
                e.forwarding = BundleEntry.Forwarding.DONE;
                e.queuedOn = null;
                ledger.forwarded.incrementAndGet();
                if (r != null) {
                    r.counters.sent(e.encoded == null ? 0 : e.encoded.remaining());
                }
                report(e, StatusReportKind.FORWARDING, StatusReportReason.NO_ADDITIONAL_INFORMATION);
                finishIfDone(e);
            }
        } else {
            ledger.transmitFailures.incrementAndGet();
            if (r != null) {
                r.counters.failed(failure);
            }
            e.forwarding = BundleEntry.Forwarding.WAITING;
            e.queuedOn = null;
            e.fragmentsInFlight = 0;
            if (unitsLeft) {
                r.partialUnits = null;
            }
            route(new RouterEvent.TransmitFailed(summary(e), r == null ? deadLink(linkId) : r.summary(), failure));
        }
        if (r != null) {
            pumpLink(r);
        }
    }

    private static LinkSummary deadLink(String id) {
        return new LinkSummary(id, Optional.empty(), "?", Optional.empty(), LinkState.DOWN, 0);
    }

    // =====================================================================================
    // Event thread: links and contacts
    // =====================================================================================

    private void onLinkUp(Link link) {
        LinkRecord r = links.get(link.id());
        if (r == null) {
            r = new LinkRecord(link, null, new LinkCounters());
            links.put(link.id(), r);
            linkCounters.put(link.id(), r.counters);
        }
        r.wasUp = true;
        for (ConfiguredLink c : configured.values()) {
            if (c.current == r) {
                c.backoffMillis = 0;
            }
        }
        LOG.info("Link {} up: {} {} peer {}", link.id(), link.convergenceLayer(), link.remoteAddress(),
                link.peerNodeId().map(Object::toString).orElse("unknown"));
        applyContactRate(r);
        route(new RouterEvent.LinkChanged(r.summary()));
        pumpLink(r);
    }

    private void onLinkDown(Link link, String reason) {
        LinkRecord r = links.remove(link.id());
        if (r == null) {
            return;
        }
        linkCounters.remove(link.id());
        r.counters.problem("down: " + reason);
        if (r.wasUp || r.name == null) {
            LOG.info("Link {}{} down: {}", link.id(), r.name == null ? "" : " (" + r.name + ")", reason);
        } else {
            attempts.info(r.name, "Link {} ({}) could not be opened: {}", r.name, link.id(), reason);
        }
        for (ConfiguredLink c : configured.values()) {
            if (c.current == r) {
                c.current = null;
                backOff(c, reason);
            }
        }
        // Bundles queued there wait again; those in transmission fail through their callbacks.
        for (BundleEntry e : r.drain(bundles)) {
            if (e.forwarding == BundleEntry.Forwarding.QUEUED && link.id().equals(e.queuedOn)) {
                e.forwarding = BundleEntry.Forwarding.WAITING;
                e.queuedOn = null;
                e.fragmentsInFlight = 0;
            }
        }
        route(new RouterEvent.LinkChanged(r.summary()));
    }

    /** Opens the configured links that should be up now; closes scheduled ones outside their contacts. */
    private void contactManager() {
        long now = System.currentTimeMillis();
        Instant instant = Instant.ofEpochMilli(now);
        for (Contact c : contacts) {
            boolean open = c.isOpenAt(instant);
            Boolean was = contactOpen.put(c.name(), open);
            if (was == null || was != open) {
                if (was != null || open) {
                    LOG.info("Contact {} on link {} {}", c.name(), c.linkName(), open ? "starts" : "ends");
                    route(new RouterEvent.ContactChanged(c, open));
                }
                ConfiguredLink link = configured.get(c.linkName());
                if (open && link != null) {
                    link.nextAttempt = System.nanoTime(); // a contact that starts is tried at once
                    link.backoffMillis = 0;
                }
            }
        }
        contactOpen.keySet().removeIf(name -> contacts.stream().noneMatch(c -> c.name().equals(name)));
        for (ConfiguredLink c : configured.values()) {
            boolean wanted;
            switch (c.definition.mode()) {
                case ALWAYS_ON:
                    wanted = true;
                    break;
                case SCHEDULED:
                    wanted = openContact(c.definition.name(), instant) != null;
                    break;
                default:
                    wanted = c.current != null;
                    break;
            }
            if (wanted && c.current == null && System.nanoTime() - c.nextAttempt >= 0) {
                connect(c);
            } else if (!wanted && c.current != null && c.definition.mode() == LinkDefinition.Mode.SCHEDULED) {
                LOG.info("Closing link {}: its contact ended", c.definition.name());
                c.current.link.close();
            }
            if (c.current != null) {
                applyContactRate(c.current);
            }
        }
    }

    private Contact openContact(String linkName, Instant t) {
        for (Contact c : contacts) {
            if (c.linkName().equals(linkName) && c.isOpenAt(t)) {
                return c;
            }
        }
        return null;
    }

    private void applyContactRate(LinkRecord r) {
        if (r.name == null) {
            return;
        }
        Contact c = openContact(r.name, Instant.now());
        r.rateBytesPerSecond = c == null ? 0 : c.rateBytesPerSecond();
    }

    /**
     * When to try a configured link again. A peer that refused or did not answer is tried after a
     * delay that doubles up to a minute, sparing it and the network. But "network is unreachable" is
     * this host saying it has no route now (an interface is down): trying costs nothing on the
     * network, and a DTN link must catch its next window as soon as the interface is back, so it is
     * tried again every second (docs/reliability.md, DTN2's experiment).
     */
    static void backOff(ConfiguredLink c, String reason) {
        if (reason != null && reason.contains("Network is unreachable")) {
            c.backoffMillis = 1000;
        } else {
            c.backoffMillis = c.backoffMillis == 0 ? 1000 : Math.min(MAX_BACKOFF_MILLIS, c.backoffMillis * 2);
        }
        c.nextAttempt = System.nanoTime() + c.backoffMillis * 1_000_000;
    }

    private void connect(ConfiguredLink c) {
        ConvergenceLayer layer = layers.get(c.definition.convergenceLayer());
        c.nextAttempt = System.nanoTime() + Math.max(1000, c.backoffMillis) * 1_000_000;
        if (layer == null) {
            c.problem = "convergence layer '" + c.definition.convergenceLayer() + "' is not installed";
            return;
        }
        try {
            Link link = layer.connect(c.definition.address(), c.definition.parameters());
            LinkRecord r = new LinkRecord(link, c.definition.name(), c.counters);
            links.put(link.id(), r);
            linkCounters.put(link.id(), r.counters);
            c.current = r;
            c.problem = null;
        } catch (java.io.IOException | RuntimeException e) {
            c.problem = e.getMessage();
            c.counters.failed("could not open: " + e.getMessage());
            backOff(c, String.valueOf(e.getMessage()));
            attempts.warn(c.definition.name(), "Link {} ({} {}) could not be opened: {}", c.definition.name(),
                    c.definition.convergenceLayer(), c.definition.address(), e.getMessage());
        }
    }

    // =====================================================================================
    // Event thread: time
    // =====================================================================================

    /** Milliseconds on the monotonic clock, for intervals that a step of the wall clock must not stretch. */
    static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Milliseconds until the next tick (monotonic) or the next expiry (wall clock: lifetimes are DTN
     * times). Never more than a tick, so a step of the wall clock is noticed within a second.
     */
    private long untilNextWakeUp() {
        long wait = Math.max(0, (nextTickNanos - System.nanoTime()) / 1_000_000);
        long[] head = expiries.peek();
        if (head != null) {
            wait = Math.min(wait, Math.max(0, head[0] - System.currentTimeMillis()));
        }
        return Math.min(wait, TICK_MILLIS);
    }

    private void timers() {
        long now = System.currentTimeMillis();
        while (!expiries.isEmpty() && expiries.peek()[0] <= now) {
            BundleEntry e = bundles.get(expiries.poll()[1]);
            if (e != null && !e.deleted && e.stored && e.expiresAt <= now) {
                delete(e, StatusReportReason.LIFETIME_EXPIRED);
            }
        }
        long nanos = System.nanoTime();
        if (nanos - nextTickNanos >= 0) {
            nextTickNanos = nanos + TICK_MILLIS * 1_000_000;
            forgetExpiredIds(now);
            contactManager();
            for (ConfiguredLink c : configured.values()) {
                c.counters.sample(nanos);
            }
            for (LinkRecord r : new ArrayList<>(links.values())) {
                if (r.name == null) {
                    r.counters.sample(nanos);
                }
                pumpLink(r);
            }
            route(new RouterEvent.Tick());
        }
    }

    // =====================================================================================
    // Event thread: the end of a bundle
    // =====================================================================================

    private void finishIfDone(BundleEntry e) {
        if (e.deleted || !e.owesNothing()) {
            if (!e.deleted && e.stored) {
                store.updateState(e.key, e.persistedState());
            }
            return;
        }
        if (e.fragmentParts != null) {
            // A reassembled ADU was delivered: its fragments are done too.
            bundles.remove(e.key);
            for (Long k : e.fragmentParts) {
                BundleEntry part = bundles.get(k);
                if (part != null) {
                    part.delivery = BundleEntry.Delivery.DONE;
                    forget(part);
                }
            }
            return;
        }
        forget(e);
    }

    private void delete(BundleEntry e, StatusReportReason reason) {
        if (e == null || e.deleted) {
            return;
        }
        if (e.stored) {
            ledger.deleted(reason);
            deletions.info(BundleLedger.reasonName(reason), "Deleted bundle {} to {}: {}", e.id,
                    e.bundle.primary().destination(), BundleLedger.reasonName(reason));
        } else {
            ledger.refused("deleted before it was stored");
        }
        report(e, StatusReportKind.DELETION, reason);
        forget(e);
    }

    /** Until the tick after its expiry, as before (an expired copy arriving is refused as a duplicate). */
    private boolean seen(BundleId id) {
        return seenUntil.containsKey(id);
    }

    private void remember(BundleId id, long until) {
        seenUntil.remove(id);
        seenUntil.put(id, until);
        if (seenUntil.size() > duplicateMemory) {
            Iterator<Map.Entry<BundleId, Long>> oldest = seenUntil.entrySet().iterator();
            Map.Entry<BundleId, Long> first = oldest.next();
            oldest.remove();
            if (first.getValue() > System.currentTimeMillis()) {
                ledger.duplicateIdsForgotten.incrementAndGet();
                forgottenEarly.info("ids", "The node remembers the IDs of the last {} bundles it let go; {} (and "
                        + "{} before it) were forgotten before they expired: a copy of one arriving again would be "
                        + "taken as new", duplicateMemory, first.getKey(), ledger.duplicateIdsForgotten.get() - 1);
            }
        }
    }

    /**
     * Once a tick: from the oldest let go while they have expired; all of them once the memory is nearly
     * full, so that bundles of a short lifetime behind a long one do not take the room of live IDs.
     */
    private void forgetExpiredIds(long now) {
        if (seenUntil.size() > duplicateMemory * 9L / 10) {
            seenUntil.values().removeIf(until -> until <= now);
            return;
        }
        Iterator<Long> oldest = seenUntil.values().iterator();
        while (oldest.hasNext() && oldest.next() <= now) {
            oldest.remove();
        }
    }

    /** For tests: how many IDs of let-go bundles are remembered. */
    void duplicateMemory(int ids) {
        post(() -> duplicateMemory = ids);
    }

    /** Removes a bundle from the node and its store; copies arriving later are duplicates until it expires. */
    private void forget(BundleEntry e) {
        e.deleted = true;
        bundles.remove(e.key);
        keysById.remove(e.id, e.key);
        remember(e.id, e.expiresAt);
        if (e.encoded != null) {
            storedBytes -= e.encoded.remaining();
            store.remove(e.key);
        }
        if (e.queuedOn != null) {
            LinkRecord r = links.get(e.queuedOn);
            if (r != null) {
                r.remove(e.key);
            }
        }
        if (e.created != null) {
            e.created.completeExceptionally(new BpException(BpError.BACKEND_FAILURE, "deleted before it was stored"));
        }
        if (e.receipt != null) {
            e.receipt.refused(RefusalReason.OTHER);
        }
    }

    // =====================================================================================
    // Event thread: status reports (RFC 9171 §6.1)
    // =====================================================================================

    private void report(BundleEntry subject, StatusReportKind kind, StatusReportReason reason) {
        report(subject.bundle, kind, reason, false);
    }

    /**
     * Sends a status report about a bundle if reporting is on and the bundle asked for this kind (or a
     * block's "report if unprocessable" flag asked for it: {@code forced}).
     */
    private void report(Bundle b, StatusReportKind kind, StatusReportReason reason, boolean forced) {
        if (!settings.statusReports() || !(forced || b.primary().reportRequested(kind)) || b.primary().isAdminRecord()
                || b.primary().reportTo().isNull() || b.primary().source().isNull()) {
            return;
        }
        long now = DtnTime.now();
        StatusReport report = StatusReport.about(b, kind, reason.code(),
                b.primary().statusTimeRequested() ? now : -1);
        long[] ts = nextCreationTimestamp();
        Bundle r = Bundle.builder().destination(b.primary().reportTo()).source(settings.nodeId())
                .reportTo(DtnEndpointId.NONE).flags(BundleFlags.ADMIN_RECORD | BundleFlags.MUST_NOT_FRAGMENT)
                .creationTimestamp(ts[0], ts[1]).lifetime(Math.max(60_000, b.primary().lifetime()))
                .payload(report.encodeRecord()).build();
        ledger.reportsSent.incrementAndGet();
        accept(r, r.encode(), ClassOfService.EXPEDITED, null, null, null);
    }

    // =====================================================================================
    // Recovery at start
    // =====================================================================================

    private void recover() {
        long now = System.currentTimeMillis();
        List<long[]> stale = new ArrayList<>();
        store.recover((key, stored) -> {
            nextKey = Math.max(nextKey, key + 1);
            Bundle bundle;
            try {
                byte[] bytes = new byte[stored.bundle().remaining()];
                stored.bundle().duplicate().get(bytes);
                bundle = BundleCodec.decode(bytes, limits);
            } catch (MalformedBundleException e) {
                LOG.error("Stored bundle {} cannot be decoded ({}); dropping it", key, e.getMessage());
                stale.add(new long[] {key});
                return;
            }
            byte[] state = stored.state();
            int flags = state.length > 1 ? state[1] : 0;
            ClassOfService priority = state.length > 2 && state[2] >= 0 && state[2] < 3
                    ? ClassOfService.values()[state[2]] : ClassOfService.NORMAL;
            BundleEntry e = new BundleEntry(key, bundle, stored.bundle(), expiry(bundle, now), priority, null);
            e.stored = true;
            if ((flags & 1) != 0) {
                e.delivery = BundleEntry.Delivery.DONE;
            }
            if ((flags & 2) != 0) {
                e.forwarding = BundleEntry.Forwarding.DONE;
            }
            bundles.put(key, e);
            keysById.put(e.id, key);
            ledger.recovered.incrementAndGet();
            storedBytes += stored.bundle().remaining();
            expiries.add(new long[] {e.expiresAt, key});
        });
        for (long[] k : stale) {
            store.remove(k[0]);
        }
        if (!bundles.isEmpty()) {
            LOG.info("Recovered {} bundles ({} bytes) from the {} store", bundles.size(), storedBytes, store.name());
        }
        List<BundleEntry> recovered = new ArrayList<>(bundles.values());
        post(() -> {
            for (BundleEntry e : recovered) {
                if (!e.deleted) {
                    dispatch(e);
                }
            }
        });
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    /** When a bundle's lifetime ends, in Unix ms: from its creation time, or from its age if it has no clock. */
    private static long expiry(Bundle b, long now) {
        long lifetime = b.primary().lifetime();
        if (b.primary().creationTime() != 0) {
            long created = DtnTime.toInstant(b.primary().creationTime()).toEpochMilli();
            return saturatedAdd(created, lifetime);
        }
        return saturatedAdd(now, lifetime - Math.max(0, b.bundleAge()));
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** {@code ipn:!.S} is this node's service S. */
    private EndpointId localForm(EndpointId eid) {
        if (eid instanceof IpnEndpointId ipn && ipn.isLocalNode() && settings.nodeId() instanceof IpnEndpointId n) {
            return IpnEndpointId.of(n.allocator(), n.node(), ipn.service(), n.threeElement());
        }
        return eid;
    }

    private static boolean isLocalNodeForm(EndpointId eid) {
        return eid instanceof IpnEndpointId ipn && ipn.isLocalNode();
    }

    private boolean isLocal(EndpointId eid) {
        return !eid.isNull() && eid.nodeId().equals(settings.nodeId());
    }

    private BundleSummary summary(BundleEntry e) {
        return new BundleSummary(e.id, e.bundle.primary().destination(),
                Optional.ofNullable(e.bundle.previousNode()).orElse(DtnEndpointId.NONE), e.encoded == null ? 0
                        : e.encoded.remaining(), Instant.ofEpochMilli(e.expiresAt));
    }

    /** The router's read-only view; built per event, lists computed on demand. */
    private final class View implements RoutingView {
        @Override
        public EndpointId localNode() {
            return settings.nodeId();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public List<LinkSummary> links() {
            List<LinkSummary> out = new ArrayList<>();
            for (LinkRecord r : links.values()) {
                out.add(r.summary());
            }
            for (ConfiguredLink c : configured.values()) {
                if (c.current == null) {
                    out.add(new LinkSummary("", Optional.of(c.definition.name()), c.definition.convergenceLayer(),
                            Optional.empty(), LinkState.DOWN, 0));
                }
            }
            return out;
        }

        @Override
        public List<RouteEntry> routes() {
            return routes;
        }

        @Override
        public List<Contact> contacts() {
            return contacts;
        }

        @Override
        public List<BundleSummary> waiting() {
            List<BundleSummary> out = new ArrayList<>();
            for (BundleEntry e : bundles.values()) {
                if (e.forwarding == BundleEntry.Forwarding.WAITING && !e.deleted && e.stored) {
                    out.add(summary(e));
                }
            }
            return out;
        }
    }

    // =====================================================================================
    // Snapshots for the shell (taken on the event thread)
    // =====================================================================================

    public record LinkInfo(String id, String name, String layer, String address, String peer, LinkState state,
            int queued, String problem, long rate, LinkCounters counters) {
    }

    public record BundleInfo(long key, BundleId id, EndpointId destination, long size, Instant expires, String state,
            String details) {
    }

    /** Primary block fields and extension blocks a person checks: what options the bundle carries. */
    private static String details(Bundle b) {
        StringBuilder sb = new StringBuilder("lifetime=").append(b.primary().lifetime()).append("ms");
        List<String> reports = new ArrayList<>();
        for (StatusReportKind k : StatusReportKind.values()) {
            if (b.primary().reportRequested(k)) {
                reports.add(k.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (!reports.isEmpty()) {
            sb.append(" reports=").append(String.join(",", reports)).append(" report-to=").append(b.primary().reportTo());
        }
        QualityOfService qos = qualityOfService(b);
        if (qos != null) {
            sb.append(" cos=").append(ClassOfService.values()[qos.classOfService()].name().toLowerCase(java.util.Locale.ROOT))
                    .append(" ordinal=").append(qos.ordinal());
        }
        if (b.hopCount() != null) {
            sb.append(" hop-limit=").append(b.hopCount().limit()).append(" hops=").append(b.hopCount().count());
        }
        if (b.primary().mustNotFragment()) {
            sb.append(" must-not-fragment");
        }
        if (b.primary().hasFlag(BundleFlags.APP_ACK_REQUESTED)) {
            sb.append(" app-ack");
        }
        if (b.primary().isAdminRecord()) {
            sb.append(" admin-record");
        }
        if (b.primary().isFragment()) {
            sb.append(" fragment=").append(b.primary().fragmentOffset()).append('/').append(b.primary().totalAduLength());
        }
        return sb.toString();
    }

    List<LinkInfo> linkInfos() {
        return call(() -> {
            List<LinkInfo> out = new ArrayList<>();
            Map<String, Integer> awaiting = awaitingLinks();
            for (ConfiguredLink c : configured.values()) {
                LinkRecord r = c.current;
                int queued = (r == null ? 0 : r.size()) + awaiting.getOrDefault(c.definition.name(), 0);
                out.add(new LinkInfo(r == null ? "-" : r.link.id(), c.definition.name(), c.definition.convergenceLayer(),
                        c.definition.address(), r == null ? "-" : r.link.peerNodeId().map(Object::toString).orElse("?"),
                        r == null ? LinkState.DOWN : r.link.state(), queued,
                        c.problem == null ? c.definition.mode().toString() : c.problem, r == null ? 0 : r.rateBytesPerSecond,
                        c.counters));
            }
            for (LinkRecord r : links.values()) {
                if (r.name == null) {
                    out.add(new LinkInfo(r.link.id(), "(inbound)", r.link.convergenceLayer(), r.link.remoteAddress(),
                            r.link.peerNodeId().map(Object::toString).orElse("?"), r.link.state(), r.size(), "", 0,
                            r.counters));
                }
            }
            return out;
        });
    }

    /**
     * How many waiting bundles the router holds for each configured link that is down (its rule names
     * that link): they are queued for it as far as an operator is concerned. One router question per
     * destination, not per bundle.
     */
    private Map<String, Integer> awaitingLinks() {
        Router current = router;
        if (current == null) {
            return Map.of();
        }
        View view = new View();
        Map<EndpointId, Optional<String>> byDestination = new HashMap<>();
        Map<String, Integer> out = new HashMap<>();
        for (BundleEntry e : bundles.values()) {
            if (!e.deleted && e.forwarding == BundleEntry.Forwarding.WAITING) {
                byDestination.computeIfAbsent(e.bundle.primary().destination(),
                        d -> current.linkAwaited(localForm(d), view))
                        .ifPresent(link -> out.merge(link, 1, Integer::sum));
            }
        }
        return out;
    }

    List<BundleInfo> bundleInfos(int max) {
        return call(() -> {
            List<BundleInfo> out = new ArrayList<>();
            for (BundleEntry e : bundles.values()) {
                if (e.deleted || e.encoded == null) {
                    continue;
                }
                String state = e.delivery != BundleEntry.Delivery.NONE ? "deliver:" + e.delivery
                        : "forward:" + e.forwarding + (e.queuedOn == null ? "" : "@" + e.queuedOn);
                out.add(new BundleInfo(e.key, e.id, e.bundle.primary().destination(), e.encoded.remaining(),
                        Instant.ofEpochMilli(e.expiresAt), state + " " + e.priority.name().toLowerCase(java.util.Locale.ROOT),
                        details(e.bundle)));
                if (out.size() >= max) {
                    break;
                }
            }
            return out;
        });
    }

    /**
     * The ledger and what is stored, taken on the event thread so that accepted = delivered + forwarded +
     * deleted + stored holds in the snapshot.
     */
    Map<String, Long> statistics() {
        return call(() -> {
            Map<String, Long> m = new LinkedHashMap<>(ledger.snapshot());
            long held = bundles.values().stream().filter(e -> e.stored && !e.deleted && e.encoded != null).count();
            m.put("stored", held);
            m.put("stored bytes", storedBytes);
            return m;
        });
    }

    List<RouteEntry> routesSnapshot() {
        return call(() -> routes);
    }

    /** Which rule picks the next hop for a destination now, in words (bp:routes EID). */
    String explainRoute(EndpointId destination) {
        return call(() -> {
            Router current = router;
            return current == null ? "no router is installed: bundles for other nodes wait"
                    : current.explain(localForm(destination), new View());
        });
    }

    public record ContactInfo(Contact contact, boolean open) {
    }

    List<ContactInfo> contactInfos() {
        return call(() -> {
            List<ContactInfo> out = new ArrayList<>();
            Instant now = Instant.now();
            for (Contact c : contacts) {
                out.add(new ContactInfo(c, c.isOpenAt(now)));
            }
            return out;
        });
    }

    Set<String> convergenceLayerNames() {
        return Set.copyOf(layers.keySet());
    }

    /** What the installed layers say is wrong with them (a refused configuration, a listener not open). */
    List<String> layerProblems() {
        List<String> out = new ArrayList<>();
        for (ConvergenceLayer l : layers.values()) {
            l.problem().ifPresent(p -> out.add(l.name() + ": " + p));
        }
        java.util.Collections.sort(out);
        return out;
    }

    String storeName() {
        return store.name() + (store.durable() ? " (durable)" : " (memory only)");
    }

    /** A configured link and the link currently open for it. */
    static final class ConfiguredLink {
        final LinkDefinition definition;
        LinkRecord current;
        final LinkCounters counters = new LinkCounters();
        /** When to try again, on the monotonic clock (System.nanoTime). */
        long nextAttempt = System.nanoTime();
        long backoffMillis;
        String problem;

        ConfiguredLink(LinkDefinition definition) {
            this.definition = definition;
        }
    }

    /** Registrations deliver in arrival order within their window. */
    static final class NodeRegistration implements EndpointRegistration {
        private final NodeCore node;
        final EndpointId endpoint;
        final DeliverySink sink;
        final int window;
        /** Sized for none: most endpoints wait with nothing pending, and a node may have thousands. */
        final ArrayDeque<Long> pending = new ArrayDeque<>(0);
        int outstanding;
        volatile boolean closed;

        NodeRegistration(NodeCore node, EndpointId endpoint, DeliverySink sink, int window) {
            this.node = node;
            this.endpoint = endpoint;
            this.sink = sink;
            this.window = window;
        }

        @Override
        public EndpointId endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            node.closeRegistration(this);
        }
    }
}
