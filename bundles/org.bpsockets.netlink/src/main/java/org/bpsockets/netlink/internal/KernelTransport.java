package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.SocketService;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportSession;
import org.bpsockets.api.transport.TransportStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel as a socket transport: watches for the AF_BP module's Generic Netlink family, registers
 * as the node when it appears (and again after the module is reloaded or the link fails), and serves
 * its sockets through the registry. Without the module the node runs on and says so in its status.
 */
@Component(service = {}, immediate = true, configurationPid = "org.bpsockets.netlink")
@Designate(ocd = KernelConfig.class)
public final class KernelTransport implements SocketTransport {

    private static final Logger LOG = LoggerFactory.getLogger(KernelTransport.class);

    private final KernelConfig config;
    private final TransportSession session;
    private final Thread watcher;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile NodeLink link;
    private volatile String state = "starting";
    private volatile boolean backendAvailable;
    private boolean familyChanged;
    private volatile String failure;

    @Activate
    public KernelTransport(@Reference SocketService sockets, KernelConfig config) {
        this.config = config;
        this.session = sockets.attach(this);
        this.watcher = new Thread(this::watch, "bp-netlink-watcher");
        this.watcher.setDaemon(true);
        this.watcher.start();
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            watcher.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NodeLink l = link;
        if (l != null) {
            LOG.info("Leaving the kernel: the bridge is stopping");
            // While the registry still serves: sends it is storing are answered, not sent again, and
            // deliveries on their way are still acknowledged.
            l.closeGracefully(30);
            link = null;
            session.resync(Map.of());
        }
        session.close();
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public TransportStatus status() {
        NodeLink l = link;
        long malformed = l == null ? 0 : l.malformed.get();
        return new TransportStatus(l != null, malformed == 0 ? state
                : state + "; " + malformed + " malformed kernel messages skipped");
    }

    @Override
    public CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
        NodeLink l = link;
        if (l == null || l.closing()) {
            return CompletableFuture.completedFuture(DeliveryResult.GONE);
        }
        return l.deliver(socketId, bundle);
    }

    @Override
    public CompletionStage<DeliveryResult> deliverStatus(long socketId, BundleStatus status) {
        NodeLink l = link;
        if (l == null || l.closing()) {
            return CompletableFuture.completedFuture(DeliveryResult.GONE);
        }
        return l.deliverStatus(socketId, status);
    }

    @Override
    public void backendAvailable(boolean available) {
        backendAvailable = available;
        NodeLink l = link;
        if (l != null) {
            try {
                l.backendReady(available);
            } catch (NetlinkException e) {
                LOG.warn("Could not tell the kernel that a backend is {}: {}", available ? "ready" : "gone",
                        e.getMessage());
            }
        }
    }

    /**
     * The watcher: one control socket subscribed to the Generic Netlink controller's notifications,
     * so the module's family appearing or going away is seen at once; between events it retries a
     * registration that failed.
     */
    private void watch() {
        NetlinkSocket control = null;
        ByteBuffer buffer = ByteBuffer.allocateDirect(16384);
        int seq = 1;
        while (!stopping) {
            try {
                String failed = failure;
                if (failed != null) {
                    failure = null;
                    disconnect("link to the kernel failed: " + failed);
                    familyChanged = true;
                }
                if (control == null) {
                    control = NetlinkSocket.open(0, 0, 250);
                    control.joinGroup(GenlFamily.controllerGroup(control, "notify", seq++));
                    familyChanged = true;
                }
                if (familyChanged || (link == null && retryDue())) {
                    familyChanged = false;
                    OptionalInt family = GenlFamily.resolve(control, BpGenl.FAMILY_NAME, seq++);
                    if (family.isEmpty()) {
                        disconnect("kernel module not loaded (Generic Netlink family '" + BpGenl.FAMILY_NAME
                                + "' absent)");
                    } else if (link == null) {
                        connect(family.getAsInt());
                    }
                }
                if (control.receive(buffer)) {
                    for (NlMessage m : NlMessage.parseAll(buffer)) {
                        if (m.type == Netlink.GENL_ID_CTRL && m.seq == 0
                                && BpGenl.FAMILY_NAME.equals(GenlFamily.familyName(m))) {
                            int command = m.command();
                            if (command == Netlink.CTRL_CMD_DELFAMILY) {
                                disconnect("kernel module unloaded");
                            }
                            familyChanged = true;
                        }
                    }
                }
            } catch (NetlinkException | ProtocolException e) {
                LOG.warn("Watching for the AF_BP module failed: {}", e.getMessage());
                if (control != null) {
                    control.close();
                    control = null;
                }
                pause();
            }
        }
        if (control != null) {
            control.close();
        }
    }

    private long lastAttempt;

    private boolean retryDue() {
        return System.nanoTime() - lastAttempt > config.retrySeconds() * 1_000_000_000L;
    }

    private void connect(int familyId) {
        lastAttempt = System.nanoTime();
        try {
            NodeLink l = NodeLink.register(familyId, session, config, backendAvailable, this::linkFailed,
                    registered -> link = registered);
            link = l;
            state = "registered as node (netlink port " + l.portId() + ", family id " + familyId
                    + ", max payload " + l.maxPayload() + " bytes)";
        } catch (NetlinkException e) {
            link = null;
            if (e.errno == Errno.EPERM) {
                state = "cannot register with the kernel module: the node needs CAP_NET_ADMIN";
            } else if (e.errno == Errno.EBUSY) {
                state = "another node is registered in this network namespace";
            } else {
                state = "registering with the kernel module failed: " + e.getMessage();
            }
            LOG.warn("{} (retrying every {} s)", state, config.retrySeconds());
        }
    }

    /** Called on the link's own receiving thread: the watcher does the closing. */
    private void linkFailed(String why) {
        failure = why;
    }

    private void disconnect(String why) {
        NodeLink l = link;
        link = null;
        String before = state;
        state = why;
        if (l != null) {
            LOG.info("Leaving the kernel: {}", why);
            l.close();
            // The module's sockets are no longer reachable; they come back with the next resync.
            session.resync(Map.of());
        } else if (!stopping && !why.equals(before)) {
            // The registry logs this transport as attached when the bridge starts: that is not the
            // kernel. Ready is "Registered with the AF_BP module as node"; until then, say why not.
            LOG.info("Not registered with the AF_BP module: {}; registering when it appears", why);
        }
    }

    private void pause() {
        synchronized (wake) {
            try {
                wake.wait(config.retrySeconds() * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

}
