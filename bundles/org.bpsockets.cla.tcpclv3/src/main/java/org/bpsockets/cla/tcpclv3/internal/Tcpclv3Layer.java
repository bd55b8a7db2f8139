package org.bpsockets.cla.tcpclv3.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Set;

import org.bpsockets.cla.common.CheckedConfig;
import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.LoggerFactory;

/**
 * TCPCLv3 (RFC 7242). A connection opened by either side carries bundles both ways; when both sides
 * connect, each connection is a link of its own and the node picks which to send on.
 */
@Component(service = ConvergenceLayer.class, configurationPid = Tcpclv3Layer.PID,
        property = ConvergenceLayer.NAME_PROPERTY + "=" + Tcpclv3Layer.NAME)
@Designate(ocd = Tcpclv3Config.class)
public final class Tcpclv3Layer extends StreamLayer {
    static final String PID = "org.bpsockets.cla.tcpclv3";
    static final String NAME = "tcpclv3";
    private static final Set<String> PARAMETERS = Set.of("peer", "keepalive");

    final Tcpclv3Config config;
    final StreamSession.Settings settings;

    @Activate
    public Tcpclv3Layer(@Reference(name = "context") ClaContext context, Tcpclv3Config typed, Map<String, Object> raw,
            @Reference(name = "metaType") MetaTypeService metaType, BundleContext bundleContext) {
        this(context, CheckedConfig.of(PID, typed, CheckedConfig.defaults(Tcpclv3Config.class), raw, metaType,
                bundleContext.getBundle(), LoggerFactory.getLogger(Tcpclv3Layer.class)));
    }

    /** A layer with a configuration used as given (tests, benchmarks). */
    public Tcpclv3Layer(ClaContext context, Tcpclv3Config config) {
        this(context, CheckedConfig.trusted(config));
    }

    private Tcpclv3Layer(ClaContext context, CheckedConfig<Tcpclv3Config> checked) {
        super(NAME, context, LoggerFactory.getLogger(Tcpclv3Layer.class), checked.config().maxInboundSessions());
        Tcpclv3Config config = checked.config();
        configurationRefused(checked.problem());
        this.config = config;
        this.settings = new StreamSession.Settings(config.queueLimit(), config.queueBytes(),
                config.connectTimeoutSeconds() * 1000, config.handshakeTimeoutSeconds() * 1000,
                config.closeTimeoutSeconds() * 1000, 64 * 1024);
        listen(config.listenEnabled(), config.listenAddress(), config.listenPort());
    }

    @Deactivate
    void deactivate() {
        shutdown(config.closeTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    protected StreamSession newInbound(Socket accepted) {
        return new Tcpclv3Session(this, nextId(), accepted);
    }

    @Override
    protected StreamSession newOutbound(InetSocketAddress target, Map<String, String> parameters)
            throws IOException {
        return new Tcpclv3Session(this, nextId(), target, peerParameter(parameters),
                intParameter(parameters, "keepalive", 0, 0xFFFF, config.keepaliveSeconds()));
    }

    @Override
    protected Set<String> parameterNames() {
        return PARAMETERS;
    }

    ClaContext context() {
        return context;
    }
}
