package org.bpsockets.cla.udp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.lang.reflect.Method;

import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.StreamPeerFuzzing;
import org.bpsockets.cla.common.testing.TestConfigs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer) for the UDP convergence layer: up to eight datagrams of the
 * fuzzer's bytes from one peer to a real {@link UdpLayer} on loopback, then a marker bundle. Invariants:
 * the layer keeps serving (the marker arrives), and what reaches the node before it is exactly the sent
 * datagrams that may be bundles (a CBOR array, within the node's limit), whole and in order. Under
 * {@code mvn install} it runs its committed inputs only; {@code tools/fuzz cla.udp} fuzzes it.
 */
class UdpFuzzTest {
    static final int MAX_BUNDLE = 1024;
    static final Duration T = Duration.ofSeconds(10);
    static final FakeClaContext CTX = new FakeClaContext("ipn:1.0").maxBundleSize(MAX_BUNDLE);
    static UdpLayer layer;
    static DatagramSocket peer;
    static int markers;

    static synchronized UdpLayer layer() throws IOException {
        if (layer == null) {
            layer = new UdpLayer(CTX, TestConfigs.of(UdpConfig.class, "listenPort", 0, "maxDatagramSize", 2048));
            peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            Runtime.getRuntime().addShutdownHook(new Thread(layer::shutdown));
        }
        return layer;
    }

    @FuzzTest
    void datagrams(FuzzedDataProvider data) throws Exception {
        StreamPeerFuzzing.allowLoopback();
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), layer().localPort());
        CTX.received.clear();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 8 && data.remainingBytes() > 0; i++) {
            byte[] d = data.consumeBytes(data.consumeInt(0, 1500));
            peer.send(new DatagramPacket(d, d.length, target));
            if (d.length > 0 && (d[0] & 0xE0) == 0x80 && d.length <= MAX_BUNDLE) {
                expected.add(d);
            }
        }
        byte[] marker = {(byte) 0x9f, 'm', (byte) (markers >> 8), (byte) markers++, (byte) 0xff};
        peer.send(new DatagramPacket(marker, marker.length, target));
        for (byte[] e : expected) {
            assertArrayEquals(e, CTX.awaitReceived(T).data());
        }
        assertArrayEquals(marker, CTX.awaitReceived(T).data(), "the marker, and nothing else before it");
        assertEquals(0, CTX.received.size());
    }

    static final List<Method> ATTRIBUTES = java.util.Arrays.stream(UdpConfig.class.getDeclaredMethods())
            .sorted(java.util.Comparator.comparing(Method::getName)).toList();

    /**
     * The layer's configuration check, {@link UdpLayer#validate}: any value of its type for any attribute
     * (what DS makes of ConfigAdmin's properties). Refused: a message naming each bad value; accepted: every
     * value within what the layer relies on (a port, a datagram that fits UDP, positive limits and timeouts,
     * a burst that lets the largest datagram go when the rate is limited).
     */
    @FuzzTest
    void configuration(FuzzedDataProvider data) {
        List<Object> keyValues = new ArrayList<>();
        int n = data.consumeInt(0, ATTRIBUTES.size());
        for (int i = 0; i < n; i++) {
            Method m = data.pickValue(ATTRIBUTES);
            keyValues.add(m.getName());
            Class<?> t = m.getReturnType();
            keyValues.add(t == int.class ? (Object) data.consumeInt() : t == long.class ? (Object) data.consumeLong()
                    : t == boolean.class ? (Object) data.consumeBoolean() : data.consumeString(64));
        }
        UdpConfig c = TestConfigs.of(UdpConfig.class, keyValues.toArray());
        String invalid = UdpLayer.validate(c);
        if (invalid != null) {
            assertFalse(invalid.isBlank());
            return;
        }
        assertFalse(c.listenAddress().isBlank(), "an address to bind");
        assertTrue(c.listenPort() >= 0 && c.listenPort() <= 65535, "a port");
        assertTrue(c.maxDatagramSize() >= 1 && c.maxDatagramSize() <= 65527, "a datagram UDP can carry");
        assertTrue(c.queueLimit() >= 1 && c.queueBytes() >= 1 && c.maxPeers() >= 1, "positive limits");
        assertTrue(c.idleTimeoutSeconds() >= 1, "a positive idle timeout");
        assertTrue(c.socketBufferBytes() >= 65536, "a socket buffer for a largest datagram");
        assertTrue(c.rateBytesPerSecond() >= 0 && c.burstBytes() >= 1);
        assertTrue(c.rateBytesPerSecond() == 0 || c.burstBytes() >= c.maxDatagramSize(), "the largest datagram can go");
    }
}
