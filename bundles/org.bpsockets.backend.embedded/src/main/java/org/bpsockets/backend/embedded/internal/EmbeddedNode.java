package org.bpsockets.backend.embedded.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.config.ConfiguredContact;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;
import org.bpsockets.backend.embedded.internal.config.ConfiguredRoute;
import org.bpsockets.backend.embedded.internal.store.MemoryBundleStore;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.routing.Router;
import org.bpsockets.node.api.stats.NodeStatistics;
import org.bpsockets.node.api.store.BundleStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * The embedded node as OSGi sees it: the "embedded" backend for the registry, the context of the
 * convergence layers, and the consumer of routers, configured links, routes and contacts. The node
 * itself is {@link NodeCore}.
 *
 * <p>The layers' {@link ClaContext} is registered by hand, not as a service of this component: a
 * layer needs the context to start, and this component binds the layers, so a DS-provided context
 * would make a service-factory cycle when the first layer starts.
 */
@Component(service = {Backend.class, EmbeddedNode.class}, configurationPid = "org.bpsockets.node",
        property = Backend.NAME_PROPERTY + "=embedded")
@Designate(ocd = NodeConfig.class)
public final class EmbeddedNode implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNode.class);

    private final NodeConfiguration config;
    /** Why the current ConfigAdmin values were refused, or null. */
    private final String configProblem;
    private final BundleStore store;
    final NodeCore core;
    private final List<Router> routers = new CopyOnWriteArrayList<>();
    private final List<ConfiguredLinkDefinition> linkDefinitions = new CopyOnWriteArrayList<>();
    private final List<ConfiguredRoute> routes = new CopyOnWriteArrayList<>();
    private final List<ConfiguredContact> contacts = new CopyOnWriteArrayList<>();

    private final ServiceRegistration<ClaContext> claContext;
    private final ServiceRegistration<NodeStatistics> statistics;

    @Activate
    public EmbeddedNode(Map<String, Object> properties, BundleContext context) {
        // Beside the store, not in the bundle's data area: an upgrade clears Karaf's framework cache.
        String data = System.getProperty("karaf.data");
        java.io.File bundleData = data != null ? null : context.getDataFile("last-valid-configuration.properties");
        Path lastValid = data != null ? Path.of(data, "bpnode", "last-valid-configuration.properties")
                : bundleData == null ? null : bundleData.toPath();
        NodeConfiguration chosen;
        String problem = null;
        try {
            chosen = NodeConfiguration.of(properties);
            if (lastValid != null) {
                try {
                    chosen.save(lastValid);
                } catch (java.io.IOException e) {
                    LOG.warn("Could not keep the node's configuration in {}: {}", lastValid, e.getMessage());
                }
            }
        } catch (NodeConfiguration.Invalid e) {
            chosen = NodeConfiguration.load(lastValid);
            problem = e.getMessage();
            LOG.warn("Configuration refused: {}; the node keeps its last valid configuration (node {}, {} store)",
                    problem, chosen.nodeId(), chosen.storage());
        }
        this.config = chosen;
        this.configProblem = problem;
        this.store = openStore(config);
        this.core = new NodeCore(config.settings(), store, null);
        LOG.info("Embedded node {} started ({} store)", config.nodeId(), core.storeName());
        selectRouter();
        reconfigure();
        this.claContext = context.registerService(ClaContext.class, core, null);
        this.statistics = context.registerService(NodeStatistics.class, new Statistics(core), null);
    }

    /** The node's counters for observers (metrics, JMX): registered by hand for the same reason as the context. */
    private static final class Statistics implements NodeStatistics {
        private final NodeCore core;

        Statistics(NodeCore core) {
            this.core = core;
        }

        @Override
        public String nodeId() {
            return core.localNodeId().toString();
        }

        @Override
        public Map<String, Long> counters() {
            return core.statistics();
        }

        @Override
        public LatencyHistogram deliveryLatency() {
            return core.deliveryLatency.snapshot();
        }

        @Override
        public List<LinkStatistics> links() {
            List<LinkStatistics> out = new ArrayList<>();
            for (NodeCore.LinkInfo l : core.linkInfos()) {
                LinkCounters c = l.counters();
                out.add(new LinkStatistics(l.name(), l.id(), l.layer(), l.state().toString(), l.queued(), c.bundlesIn(),
                        c.bytesIn(), c.bundlesOut(), c.bytesOut(), c.refused(), c.failures()));
            }
            return out;
        }
    }

    private static BundleStore openStore(NodeConfiguration config) {
        if ("memory".equals(config.storage())) {
            return new MemoryBundleStore();
        }
        Path file = config.storePath().isBlank()
                ? Path.of(System.getProperty("karaf.data", System.getProperty("java.io.tmpdir")), "bpnode", "bundles.mv")
                : Path.of(config.storePath());
        return new MvBundleStore(file, config.syncToDisk());
    }

    @Deactivate
    void deactivate() {
        statistics.unregister();
        claContext.unregister();
        core.close();
        store.close();
        LOG.info("Embedded node stopped");
    }

    // ---- plug-ins and configuration ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addConvergenceLayer(ConvergenceLayer layer) {
        core.addConvergenceLayer(layer);
    }

    void removeConvergenceLayer(ConvergenceLayer layer) {
        core.removeConvergenceLayer(layer);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addRouter(Router router) {
        routers.add(router);
        if (core != null) {
            selectRouter();
        }
    }

    void removeRouter(Router router) {
        routers.remove(router);
        selectRouter();
    }

    private void selectRouter() {
        Router chosen = routers.stream().filter(r -> r.name().equals(config.router())).findFirst().orElse(null);
        core.setRouter(chosen);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addLink(ConfiguredLinkDefinition link) {
        linkDefinitions.add(link);
        reconfigure();
    }

    void removeLink(ConfiguredLinkDefinition link) {
        linkDefinitions.remove(link);
        reconfigure();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addRoute(ConfiguredRoute route) {
        routes.add(route);
        reconfigure();
    }

    void removeRoute(ConfiguredRoute route) {
        routes.remove(route);
        reconfigure();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addContact(ConfiguredContact contact) {
        contacts.add(contact);
        reconfigure();
    }

    void removeContact(ConfiguredContact contact) {
        contacts.remove(contact);
        reconfigure();
    }

    private void reconfigure() {
        if (core == null) {
            return;
        }
        List<LinkDefinition> l = new ArrayList<>();
        linkDefinitions.stream().filter(d -> d.problem() == null).forEach(d -> l.add(d.definition()));
        List<org.bpsockets.node.api.routing.RouteEntry> r = new ArrayList<>();
        routes.stream().filter(x -> x.problem() == null).sorted((a, b) -> a.entry().name().compareTo(b.entry().name()))
                .forEach(x -> r.add(x.entry()));
        List<org.bpsockets.node.api.routing.Contact> c = new ArrayList<>();
        contacts.stream().filter(x -> x.problem() == null).forEach(x -> c.add(x.contact()));
        core.configure(l, r, c);
    }

    String routerName() {
        return config.router() + (routers.stream().anyMatch(r -> r.name().equals(config.router())) ? ""
                : " (not installed: bundles wait)");
    }

    // ---- Backend ----

    @Override
    public String name() {
        return core.name();
    }

    @Override
    public BackendCapabilities capabilities() {
        return core.capabilities();
    }

    @Override
    public BackendHealth health() {
        BackendHealth h = core.health();
        List<String> refused = refusedConfigurations();
        String problems = java.util.stream.Stream.of(configProblem == null ? "" : "configuration refused: " + configProblem,
                core.storeProblem(), refused.isEmpty() ? "" : refused.size() + " link/route/contact configuration(s) "
                        + "refused (bp:links, bp:routes, bp:contacts say why)", String.join("; ", core.layerProblems())).filter(x -> !x.isEmpty()).collect(java.util.stream.Collectors.joining("; "));
        return problems.isEmpty() ? h : new BackendHealth(BackendHealth.State.DEGRADED, h.detail() + "; " + problems);
    }

    /** The link, route and contact configurations that were refused, each with its reason. */
    List<String> refusedConfigurations() {
        List<String> out = new ArrayList<>();
        linkDefinitions.stream().map(ConfiguredLinkDefinition::problem).filter(p -> p != null).forEach(out::add);
        routes.stream().map(ConfiguredRoute::problem).filter(p -> p != null).forEach(out::add);
        contacts.stream().map(ConfiguredContact::problem).filter(p -> p != null).forEach(out::add);
        return out;
    }

    /** Why the node's configuration was refused (it runs with its last valid one), or empty. */
    Optional<String> configurationProblem() {
        return Optional.ofNullable(configProblem);
    }

    @Override
    public Optional<EndpointId> nodeId() {
        return core.nodeId();
    }

    @Override
    public EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException {
        return core.open(endpoint, sink, window);
    }

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        return core.send(request);
    }

    Map<String, Long> statistics() {
        return core.statistics();
    }
}
