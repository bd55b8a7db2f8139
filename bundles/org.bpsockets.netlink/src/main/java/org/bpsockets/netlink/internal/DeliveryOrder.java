package org.bpsockets.netlink.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps ADUs in order across a full socket (docs/netlink-protocol.md, {@code DELIVER} and {@code DRAINED}).
 *
 * <p>DELIVERs to a socket are pipelined. When the socket refuses one for want of room, those sent after it,
 * before the node heard of the refusal, may reach the kernel after the application read and the kernel said
 * {@code DRAINED}: queued, they would overtake the refused one. So every DELIVER carries {@code RX_GEN}, the
 * socket's count of such refusals as this node last heard it (from {@code DRAINED} or the resync's dump),
 * and the kernel refuses one with an older count. The node must then not send a DELIVER with the new
 * count before every DELIVER with an older one is answered (and handled by the registry, which puts the
 * refused ones back in order): so a {@code DRAINED} is passed on, and its count used, only once the socket
 * has no DELIVER in flight.
 */
final class DeliveryOrder {
    private static final class Socket {
        int gen;
        int inFlight;
        boolean drainedHeld;
        int heldGen;
    }

    private final Map<Long, Socket> sockets = new HashMap<>();

    /** A DELIVER to the socket is about to be sent: the {@code RX_GEN} it carries. Pair with {@link #answered}. */
    synchronized int sending(long socketId) {
        Socket s = sockets.computeIfAbsent(socketId, id -> new Socket());
        s.inFlight++;
        return s.gen;
    }

    /**
     * A DELIVER to the socket was answered and its answer handled. True when a {@code DRAINED} held back
     * for it is now to be passed on.
     */
    synchronized boolean answered(long socketId) {
        Socket s = sockets.get(socketId);
        if (s == null || s.inFlight == 0) {
            return false;
        }
        s.inFlight--;
        if (s.inFlight > 0 || !s.drainedHeld) {
            return false;
        }
        s.drainedHeld = false;
        s.gen = s.heldGen;
        return true;
    }

    /**
     * The kernel said {@code DRAINED} with {@code gen}, or its resync dump listed the socket with {@code gen}
     * (the resync counts every socket as drained): true to pass it on now, false when held back until the
     * DELIVERs in flight are answered.
     */
    synchronized boolean drained(long socketId, int gen) {
        Socket s = sockets.computeIfAbsent(socketId, id -> new Socket());
        if (s.inFlight > 0) {
            s.drainedHeld = true;
            s.heldGen = gen;
            return false;
        }
        s.gen = gen;
        return true;
    }

    /** The socket is closed. */
    synchronized void forget(long socketId) {
        sockets.remove(socketId);
    }

    /** For tests and status: the count the next DELIVER to the socket carries. */
    synchronized int generation(long socketId) {
        Socket s = sockets.get(socketId);
        return s == null ? 0 : s.gen;
    }
}
