package org.bpsockets.cla.tcpclv4.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;

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
 * TCPCLv4 (RFC 9174). Active only while a node publishes its {@link ClaContext}; a configuration
 * change restarts the component, which ends its sessions gracefully.
 */
@Component(service = ConvergenceLayer.class, configurationPid = Tcpclv4Layer.PID,
        property = ConvergenceLayer.NAME_PROPERTY + "=" + Tcpclv4Layer.NAME)
@Designate(ocd = Tcpclv4Config.class)
public final class Tcpclv4Layer extends StreamLayer {
    static final String PID = "org.bpsockets.cla.tcpclv4";
    static final String NAME = "tcpclv4";
    private static final Set<String> PARAMETERS = Set.of("peer", "keepalive");

    final Tcpclv4Config config;
    final SSLContext tls;
    final StreamSession.Settings settings;

    @Activate
    public Tcpclv4Layer(@Reference(name = "context") ClaContext context, Tcpclv4Config typed, Map<String, Object> raw,
            @Reference(name = "metaType") MetaTypeService metaType, BundleContext bundleContext) throws IOException {
        this(context, CheckedConfig.of(PID, typed, CheckedConfig.defaults(Tcpclv4Config.class), raw, metaType,
                bundleContext.getBundle(), LoggerFactory.getLogger(Tcpclv4Layer.class)));
    }

    /** A layer with a configuration used as given (tests, benchmarks). */
    public Tcpclv4Layer(ClaContext context, Tcpclv4Config config) throws IOException {
        this(context, CheckedConfig.trusted(config));
    }

    private Tcpclv4Layer(ClaContext context, CheckedConfig<Tcpclv4Config> checked) throws IOException {
        super(NAME, context, LoggerFactory.getLogger(Tcpclv4Layer.class), checked.config().maxInboundSessions());
        Tcpclv4Config config = checked.config();
        configurationRefused(checked.problem());
        this.config = config;
        this.settings = new StreamSession.Settings(config.queueLimit(), config.queueBytes(),
                config.connectTimeoutSeconds() * 1000, config.handshakeTimeoutSeconds() * 1000,
                config.closeTimeoutSeconds() * 1000, 64 * 1024);
        if (config.keepaliveSeconds() < 0 || config.keepaliveSeconds() > 0xFFFF) {
            throw new IOException("keepaliveSeconds must be in 0..65535");
        }
        if (config.tlsRequired() && !config.tlsEnabled()) {
            throw new IOException("tlsRequired needs tlsEnabled");
        }
        try {
            this.tls = config.tlsEnabled() ? Tls.context(config) : null;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS configuration: " + e.getMessage(), e);
        }
        listen(config.listenEnabled(), config.listenAddress(), config.listenPort());
    }

    @Deactivate
    void deactivate() {
        shutdown(config.closeTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    protected StreamSession newInbound(Socket accepted) throws IOException {
        return new Tcpclv4Session(this, nextId(), accepted);
    }

    @Override
    protected StreamSession newOutbound(InetSocketAddress target, Map<String, String> parameters)
            throws IOException {
        return new Tcpclv4Session(this, nextId(), target, peerParameter(parameters),
                intParameter(parameters, "keepalive", 0, 0xFFFF, config.keepaliveSeconds()));
    }

    @Override
    protected Set<String> parameterNames() {
        return PARAMETERS;
    }

    ClaContext context() {
        return context;
    }

    /** Our transfer MRU: the configured one, never above what the node accepts. */
    long transferMru() {
        return Math.max(1, Math.min(config.transferMru(), context.maxBundleSize()));
    }
}
