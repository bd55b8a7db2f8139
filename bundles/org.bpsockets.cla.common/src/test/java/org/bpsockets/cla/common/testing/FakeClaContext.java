package org.bpsockets.cla.common.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;

/** A node for tests: records what the layer reports; received bundles are accepted, held or refused. */
public final class FakeClaContext implements ClaContext {

    public enum Mode {
        ACCEPT, HOLD, REFUSE
    }

    public record Received(Link link, byte[] data, Receipt receipt) {
    }

    public record Down(Link link, String reason) {
    }

    private final EndpointId nodeId;
    private volatile long maxBundleSize = 1L << 30;
    public volatile Mode mode = Mode.ACCEPT;
    public volatile RefusalReason refuseWith = RefusalReason.NO_RESOURCES;
    /** When set, replaces recording: runs on the layer's thread with the bundle still in place. */
    public volatile Consumer<Received> hook;

    public final LinkedBlockingQueue<Link> up = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<Down> down = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<Link> writable = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    public FakeClaContext(String nodeId) {
        this.nodeId = EndpointId.parse(nodeId);
    }

    public FakeClaContext maxBundleSize(long max) {
        this.maxBundleSize = max;
        return this;
    }

    @Override
    public EndpointId localNodeId() {
        return nodeId;
    }

    @Override
    public long maxBundleSize() {
        return maxBundleSize;
    }

    @Override
    public void linkUp(Link link) {
        up.add(link);
    }

    @Override
    public void linkWritable(Link link) {
        writable.add(link);
    }

    @Override
    public void linkDown(Link link, String reason) {
        down.add(new Down(link, reason));
    }

    @Override
    public void received(Link link, ByteBuffer bundle, Receipt receipt) {
        Consumer<Received> h = hook;
        if (h != null) {
            h.accept(new Received(link, null, receipt));
            return;
        }
        byte[] copy = new byte[bundle.remaining()];
        bundle.duplicate().get(copy);
        Received r = new Received(link, copy, receipt);
        // Recorded before the verdict: the verdict reaches the sender, whose test may clear this queue next.
        received.add(r);
        switch (mode) {
            case ACCEPT -> receipt.accepted();
            case REFUSE -> receipt.refused(refuseWith);
            case HOLD -> { }
        }
    }

    public Link awaitUp(Duration timeout) throws InterruptedException {
        return take(up, timeout, "link up");
    }

    public Down awaitDown(Duration timeout) throws InterruptedException {
        return take(down, timeout, "link down");
    }

    public Received awaitReceived(Duration timeout) throws InterruptedException {
        return take(received, timeout, "a received bundle");
    }

    public Link awaitWritable(Duration timeout) throws InterruptedException {
        return take(writable, timeout, "link writable");
    }

    public static <T> T take(LinkedBlockingQueue<T> q, Duration timeout, String what) throws InterruptedException {
        T t = q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what);
        }
        return t;
    }
}
