package org.bpsockets.backend.embedded.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.routing.LinkSummary;

/**
 * A link as the node drives it: bundles queued for it by priority (expedited first), the bundle being
 * handed over unit by unit (it may be fragmented), and the rate limit of the contact it is in.
 * Owned by the event thread.
 */
final class LinkRecord {
    final Link link;
    /** The configured link's name, or null for one a peer opened. */
    final String name;
    private final ArrayDeque<Long> expedited = new ArrayDeque<>();
    private final ArrayDeque<Long> normal = new ArrayDeque<>();
    private final ArrayDeque<Long> bulk = new ArrayDeque<>();
    /** The bundle whose units are being handed to the link, and those not handed over yet. */
    long partialKey;
    ArrayDeque<ByteBuffer[]> partialUnits;
    long rateBytesPerSecond;
    /** It came up (a link that never did is a failed connection attempt). */
    boolean wasUp;
    private double tokens;
    /** On the monotonic clock ({@link NodeCore#monotonicMillis}): a step of the wall clock must not drain it. */
    private long lastRefill = NodeCore.monotonicMillis();

    /** Traffic and failures; a configured link's survive its reconnections. */
    final LinkCounters counters;

    LinkRecord(Link link, String name, LinkCounters counters) {
        this.link = link;
        this.name = name;
        this.counters = counters;
    }

    void enqueue(BundleEntry e) {
        queue(e.priority).add(e.key);
    }

    private ArrayDeque<Long> queue(ClassOfService p) {
        return p == ClassOfService.EXPEDITED ? expedited : p == ClassOfService.BULK ? bulk : normal;
    }

    /** The next bundle still queued here, skipping keys of bundles that left meanwhile. */
    BundleEntry peek(Map<Long, BundleEntry> bundles) {
        for (ArrayDeque<Long> q : List.of(expedited, normal, bulk)) {
            while (!q.isEmpty()) {
                BundleEntry e = bundles.get(q.peek());
                if (e != null && !e.deleted && e.forwarding == BundleEntry.Forwarding.QUEUED
                        && link.id().equals(e.queuedOn)) {
                    return e;
                }
                q.poll();
            }
        }
        return null;
    }

    void poll() {
        for (ArrayDeque<Long> q : List.of(expedited, normal, bulk)) {
            if (!q.isEmpty()) {
                q.poll();
                return;
            }
        }
    }

    void remove(long key) {
        expedited.remove(key);
        normal.remove(key);
        bulk.remove(key);
        if (partialUnits != null && partialKey == key) {
            partialUnits = null;
        }
    }

    /** Everything queued here, and the queue emptied. */
    List<BundleEntry> drain(Map<Long, BundleEntry> bundles) {
        List<BundleEntry> out = new ArrayList<>();
        for (ArrayDeque<Long> q : List.of(expedited, normal, bulk)) {
            for (Long k : q) {
                BundleEntry e = bundles.get(k);
                if (e != null) {
                    out.add(e);
                }
            }
            q.clear();
        }
        if (partialUnits != null) {
            BundleEntry e = bundles.get(partialKey);
            if (e != null) {
                out.add(e);
            }
            partialUnits = null;
        }
        return out;
    }

    int size() {
        return expedited.size() + normal.size() + bulk.size() + (partialUnits == null ? 0 : 1);
    }

    /** Whether the contact's rate allows sending now (a token bucket holding at most one second of rate). */
    boolean mayTransmit(long now) {
        if (rateBytesPerSecond <= 0) {
            return true;
        }
        tokens = Math.min(rateBytesPerSecond, tokens + rateBytesPerSecond * (now - lastRefill) / 1000.0);
        lastRefill = now;
        return tokens >= 0;
    }

    void spent(long bytes) {
        if (rateBytesPerSecond > 0) {
            tokens -= bytes;
        }
    }

    LinkSummary summary() {
        return new LinkSummary(link.id(), Optional.ofNullable(name), link.convergenceLayer(), link.peerNodeId(),
                link.state(), size());
    }
}
