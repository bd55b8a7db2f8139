package org.bpsockets.backend.ud3tn.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The passive AAP 2.0 connection of one registered endpoint: µD3TN pushes ADUs and keepalives, this
 * answers each. It reconnects with backoff when the connection drops (µD3TN restarted) for as long as
 * the registration is open, because µD3TN drops bundles for an endpoint nobody subscribes to.
 *
 * <p>µD3TN closes the connection and drops the ADU, and every ADU it had queued for the endpoint, if
 * an answer takes more than 1 s. So this thread answers right after reading the payload and never
 * waits for the application: the ADU is then held by {@link EndpointState} and delivered from the
 * backend's delivery thread. Answers that took longer than 1 s anyway (a long GC pause) and lost
 * subscriptions are warned about and counted ({@link Ud3tnBackend#health()}).
 */
final class Subscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

    private final Ud3tnBackend backend;
    private final EndpointState state;
    private final Thread thread;
    private volatile Aap2Wire wire;
    private volatile boolean closed;

    /** Connects and subscribes at once, so the caller learns of a refusal; then serves in a thread. */
    Subscriber(Ud3tnBackend backend, EndpointState state) throws IOException, BpException {
        this.backend = backend;
        this.state = state;
        this.wire = connect();
        this.thread = new Thread(this::run, "bp-ud3tn-recv-" + state.endpoint);
        thread.setDaemon(true);
        thread.start();
    }

    private Aap2Wire connect() throws IOException, BpException {
        Aap2Wire w = Aap2Wire.connect(backend.config().socket());
        try {
            configure(w, state, true, backend.config().keepaliveSeconds());
            return w;
        } catch (IOException | BpException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Sends the ConnectionConfig of {@code state}'s endpoint and turns a refusal into the errno it means. */
    static void configure(Aap2Wire w, EndpointState state, boolean subscriber, int keepaliveSeconds)
            throws IOException, BpException {
        w.write(AAPMessage.newBuilder().setConfig(Sender.config(state, subscriber, keepaliveSeconds)).build(), null);
        ResponseStatus status = w.readResponse().getResponseStatus();
        switch (status) {
            case RESPONSE_STATUS_SUCCESS:
                return;
            case RESPONSE_STATUS_UNAUTHORIZED:
                throw new BpException(BpError.ADDRESS_IN_USE, "another µD3TN client holds " + state.endpoint + " for "
                        + (subscriber ? "receiving" : "sending"));
            case RESPONSE_STATUS_INVALID_REQUEST:
                throw new BpException(BpError.ADDRESS_NOT_AVAILABLE,
                        "µD3TN refused to register " + state.endpoint + " (agent id '" + state.agentId + "')");
            default:
                throw new BpException(BpError.BACKEND_FAILURE,
                        "µD3TN answered " + status + " to the registration of " + state.endpoint);
        }
    }

    private void run() {
        long backoff = 50;
        while (!closed) {
            Aap2Wire w = wire;
            if (w != null) {
                try {
                    serve(w);
                } catch (IOException e) {
                    if (!closed) {
                        backend.subscriptionsLost.count(1, "µD3TN subscription of " + state.endpoint + " lost ("
                                + e.getMessage() + "): µD3TN drops every bundle it had queued for it, and those "
                                + "arriving until the subscription is back (its log: \"Dropping unsent bundle\"); "
                                + "reconnecting");
                    }
                } finally {
                    w.close();
                    wire = null;
                }
                backoff = 50;
            }
            while (!closed && wire == null) {
                try {
                    Thread.sleep(backoff);
                    wire = connect();
                    LOG.info("µD3TN subscription of {} restored", state.endpoint);
                } catch (IOException | BpException e) {
                    backoff = Math.min(backoff * 2, backend.config().reconnectMaxMillis());
                    LOG.debug("µD3TN subscription of {}: {}", state.endpoint, e.getMessage());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void serve(Aap2Wire w) throws IOException {
        while (!closed) {
            AAPMessage message = w.readMessage();
            long asked = System.nanoTime();
            if (message.hasKeepalive()) {
                w.write(respond(ResponseStatus.RESPONSE_STATUS_ACK));
                answered(asked, "a keepalive");
            } else if (message.hasAdu()) {
                BundleADU adu = message.getAdu();
                byte[] payload = w.readPayload(adu.getPayloadLength(), backend.capabilities().maxPayload());
                ReceivedBundle bundle = received(adu, payload);
                boolean keep = bundle != null && state.arrived(bundle, backend.config().holdLimit());
                if (!keep) {
                    // Counted before the answer, so whoever sees µD3TN's ERROR also sees the count.
                    backend.refusals.count(1, "Refused an ADU for " + state.endpoint + " from " + adu.getSrcEid()
                            + ", which µD3TN drops: " + (bundle == null ? "its source is not a valid EID"
                                    : "the backend already holds " + backend.config().holdLimit()
                                            + " ADUs the application has not taken (holdLimit)"));
                }
                w.write(respond(keep ? ResponseStatus.RESPONSE_STATUS_SUCCESS : ResponseStatus.RESPONSE_STATUS_ERROR));
                answered(asked, "an ADU");
            } else {
                throw new IOException("µD3TN sent " + message.getMsgCase() + " to a subscriber");
            }
        }
    }

    /** µD3TN allows 1 s for an answer; one that took longer has probably cost the connection. */
    private void answered(long asked, String what) {
        long tookMillis = (System.nanoTime() - asked) / 1_000_000;
        if (tookMillis >= 1000) {
            backend.lateAnswers.count(1, "The answer to " + what + " for " + state.endpoint + " took " + tookMillis
                    + " ms, beyond µD3TN's 1 s: µD3TN closes the subscription and drops what it queued for it");
        }
    }

    private ReceivedBundle received(BundleADU adu, byte[] payload) {
        EndpointId source;
        try {
            source = EndpointId.parse(adu.getSrcEid());
        } catch (EndpointIdSyntaxException e) {
            return null;
        }
        // AAP 2.0 tells neither the lifetime nor admin-record or ack flags of a delivered bundle.
        return new ReceivedBundle(BundleId.of(source, adu.getCreationTimestampMs(), adu.getSequenceNumber()),
                state.endpoint, Duration.ZERO, false, false, ByteBuffer.wrap(payload));
    }

    private static AAPResponse respond(ResponseStatus status) {
        return AAPResponse.newBuilder().setResponseStatus(status).build();
    }

    boolean connected() {
        return wire != null;
    }

    @Override
    public void close() {
        closed = true;
        Aap2Wire w = wire;
        if (w != null) {
            w.close();
        }
        thread.interrupt();
    }
}
