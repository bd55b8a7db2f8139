package org.bpsockets.cla.tcpclv3.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Set;

import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
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
    public Tcpclv3Layer(@Reference(name = "context") ClaContext context, Tcpclv3Config config) throws IOException {
        super(NAME, context, LoggerFactory.getLogger(Tcpclv3Layer.class), config.maxInboundSessions());
        if (config.keepaliveSeconds() < 0 || config.keepaliveSeconds() > 0xFFFF) {
            throw new IOException("keepaliveSeconds must be in 0..65535");
        }
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
