package org.bpsockets.cla.mtcp.internal;

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
 * MTCP. The draft's connections are one-way, but a link reads and writes its connection alike: µD3TN
 * runs a receiver on every MTCP connection, so sending back on an accepted one reaches it too.
 */
@Component(service = ConvergenceLayer.class, configurationPid = MtcpLayer.PID,
        property = ConvergenceLayer.NAME_PROPERTY + "=" + MtcpLayer.NAME)
@Designate(ocd = MtcpConfig.class)
public final class MtcpLayer extends StreamLayer {
    static final String PID = "org.bpsockets.cla.mtcp";
    static final String NAME = "mtcp";
    private static final Set<String> PARAMETERS = Set.of("peer");

    final MtcpConfig config;
    final StreamSession.Settings settings;

    @Activate
    public MtcpLayer(@Reference(name = "context") ClaContext context, MtcpConfig typed, Map<String, Object> raw,
            @Reference(name = "metaType") MetaTypeService metaType, BundleContext bundleContext) {
        this(context, CheckedConfig.of(PID, typed, CheckedConfig.defaults(MtcpConfig.class), raw, metaType,
                bundleContext.getBundle(), LoggerFactory.getLogger(MtcpLayer.class)));
    }

    /** A layer with a configuration used as given (tests, benchmarks). */
    public MtcpLayer(ClaContext context, MtcpConfig config) {
        this(context, CheckedConfig.trusted(config));
    }

    private MtcpLayer(ClaContext context, CheckedConfig<MtcpConfig> checked) {
        super(NAME, context, LoggerFactory.getLogger(MtcpLayer.class), checked.config().maxInboundSessions());
        MtcpConfig config = checked.config();
        configurationRefused(checked.problem());
        this.config = config;
        this.settings = new StreamSession.Settings(config.queueLimit(), config.queueBytes(),
                config.connectTimeoutSeconds() * 1000, 1000, config.closeTimeoutSeconds() * 1000, 64 * 1024);
        listen(config.listenEnabled(), config.listenAddress(), config.listenPort());
    }

    @Deactivate
    void deactivate() {
        shutdown(config.closeTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    protected StreamSession newInbound(Socket accepted) {
        return new MtcpSession(this, nextId(), accepted);
    }

    @Override
    protected StreamSession newOutbound(InetSocketAddress target, Map<String, String> parameters)
            throws IOException {
        return new MtcpSession(this, nextId(), target, peerParameter(parameters));
    }

    @Override
    protected Set<String> parameterNames() {
        return PARAMETERS;
    }

    ClaContext context() {
        return context;
    }
}
