package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer): the fuzzer's bytes are everything a TCPCLv4 peer sends (contact
 * header, SESS_INIT, segments, acks, keepalives, SESS_TERM) to a real {@link Tcpclv4Layer} over loopback,
 * after which the peer closes its sending side. Invariants: the node ends the session (closes the
 * connection and forgets it) in bounded time, nothing is delivered beyond the transfer MRU or what the
 * peer sent, nothing is delivered on a link that never came up, and a link that came up goes down. Under
 * {@code mvn install} it runs its committed inputs only; {@code tools/fuzz cla.tcpclv4} fuzzes it.
 */
class Tcpclv4FuzzTest {
    static final long TRANSFER_MRU = 1 << 16;
    static final FakeClaContext CTX = new FakeClaContext("ipn:1.0").maxBundleSize(TRANSFER_MRU);
    static Tcpclv4Layer layer;

    static synchronized Tcpclv4Layer layer() throws IOException {
        if (layer == null) {
            layer = new Tcpclv4Layer(CTX, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "transferMru",
                    TRANSFER_MRU, "segmentMru", TRANSFER_MRU, "handshakeTimeoutSeconds", 5, "closeTimeoutSeconds", 1,
                    "keepaliveSeconds", 0));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> layer.shutdown(1000)));
        }
        return layer;
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        byte[] seed;
        try (InputStream in = getClass().getResourceAsStream("Tcpclv4FuzzTestInputs/peerStream/one-bundle")) {
            seed = in.readAllBytes();
        }
        peerStream(seed);
        assertEquals(1, CTX.received.size());
        int bundleLength = CTX.received.peek().data().length;
        assertEquals(0x9f, CTX.received.peek().data()[0] & 0xff);
        assertEquals(seed.length - 6 - 32 - 22, bundleLength, "contact header, SESS_INIT and segment header stripped");
    }

    @FuzzTest
    void peerStream(byte[] input) throws Exception {
        allowLoopback();
        Tcpclv4Layer l = layer();
        CTX.received.clear();
        CTX.up.clear();
        CTX.down.clear();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), l.localPort()));
            s.setSoTimeout(10_000);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(input);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the node closed first
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                while (in.read(buf) >= 0) {
                    // the node's answers, read so it never blocks on us
                }
            } catch (SocketTimeoutException e) {
                fail("the node did not end the session 10 s after the peer stopped sending");
            } catch (IOException e) {
                // reset by the node: ended too
            }
            writer.join(10_000);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!l.sessions().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the layer still holds " + l.sessions() + " 10 s after the end");
            Thread.sleep(1);
        }
        Set<Link> up = new HashSet<>(CTX.up);
        List<FakeClaContext.Received> got = new ArrayList<>(CTX.received);
        long total = 0;
        for (FakeClaContext.Received r : got) {
            assertTrue(up.contains(r.link()), "delivered on a link that never came up");
            assertTrue(r.data().length <= TRANSFER_MRU, "a delivery of " + r.data().length + " bytes");
            total += r.data().length;
        }
        assertTrue(total <= input.length, "delivered " + total + " bytes of a " + input.length + "-byte stream");
        for (Link link : up) {
            boolean wentDown = false;
            for (long t = System.nanoTime(); !wentDown && System.nanoTime() - t < 10_000_000_000L;) {
                wentDown = CTX.down.stream().anyMatch(d -> d.link() == link);
                if (!wentDown) {
                    Thread.sleep(1);
                }
            }
            assertTrue(wentDown, "a link that came up never went down");
        }
    }

    /** Jazzer's server-side request forgery detector (loaded when fuzzing): this target talks to loopback. */
    static void allowLoopback() {
        try {
            BugDetectors.allowNetworkConnections((host, port) -> true);
        } catch (IllegalStateException e) {
            // regression mode: no detector loaded
        }
    }
}
