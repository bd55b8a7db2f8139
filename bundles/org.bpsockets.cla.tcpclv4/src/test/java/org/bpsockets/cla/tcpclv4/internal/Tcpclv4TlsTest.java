package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS after the contact headers, with keystores keytool makes for the run. */
class Tcpclv4TlsTest {
    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static Path nodeKeys;
    static Path otherKeys;
    static Path trustNode;

    final List<Tcpclv4Layer> layers = new ArrayList<>();
    final FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
    final FakeClaContext ctxB = new FakeClaContext("ipn:2.0");

    @BeforeAll
    static void keys() throws Exception {
        nodeKeys = Keys.keyStore(dir, "node");
        otherKeys = Keys.keyStore(dir, "stranger");
        trustNode = Keys.trustStore(dir, nodeKeys);
    }

    Tcpclv4Layer tlsLayer(FakeClaContext ctx, Path keys, boolean required) throws IOException {
        Tcpclv4Layer l = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0,
                "tlsEnabled", true, "tlsRequired", required, "tlsKeyStore", keys.toString(),
                "tlsKeyStorePassword", Keys.PASSWORD, "tlsTrustStore", trustNode.toString(),
                "tlsTrustStorePassword", Keys.PASSWORD, "handshakeTimeoutSeconds", 10));
        layers.add(l);
        return l;
    }

    Tcpclv4Layer plainLayer(FakeClaContext ctx) throws IOException {
        Tcpclv4Layer l = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0));
        layers.add(l);
        return l;
    }

    @AfterEach
    void stop() {
        layers.forEach(l -> l.shutdown(5000));
    }

    @Test
    void bundlesFlowOverTlsWhenBothSidesCan() throws Exception {
        Tcpclv4Layer a = tlsLayer(ctxA, nodeKeys, true);
        Tcpclv4Layer b = tlsLayer(ctxB, nodeKeys, true);
        Link out = b.connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        Link in = ctxA.awaitUp(T);
        String version = ((Tcpclv4Session) out).tlsProtocol();
        assertTrue("TLSv1.3".equals(version) || "TLSv1.2".equals(version), version);
        assertEquals(version, ((Tcpclv4Session) in).tlsProtocol());
        for (int size : new int[] {0, 100, 3 << 20}) {
            byte[] data = Bytes.pattern(size, size);
            Outcome o = new Outcome();
            out.transmit(ByteBuffer.wrap(data), o);
            assertArrayEquals(data, ctxA.awaitReceived(T).data());
            assertEquals(Outcome.OK, o.await(T));
            Outcome back = new Outcome();
            in.transmit(ByteBuffer.wrap(data), back);
            assertArrayEquals(data, ctxB.awaitReceived(T).data());
            assertEquals(Outcome.OK, back.await(T));
        }
        out.close();
        assertEquals("closed by the node", ctxB.awaitDown(T).reason());
        ctxA.awaitDown(T);
    }

    @Test
    void theWireCarriesNoPlaintextUnderTls() throws Exception {
        Tcpclv4Layer a = tlsLayer(ctxA, nodeKeys, true);
        try (RawPeer p = new RawPeer(a.localPort())) {
            p.contact(4, 1);
            assertArrayEquals(new int[] {4, 1}, p.readContact());
            // The next byte the layer expects is a TLS ClientHello; a plaintext SESS_INIT fails the handshake.
            p.sessInit(0, 1000, 1000, "ipn:9.0", new byte[0]);
            p.readToEnd();
        }
        assertTrue(ctxA.awaitDown(T).reason().contains("TLS handshake failed"));
        assertEquals(1, a.problems().count("tls-failed"));
    }

    @Test
    void tlsRequiredRefusesAPlainPeerWithContactFailure() throws Exception {
        Tcpclv4Layer a = tlsLayer(ctxA, nodeKeys, true);
        Link out = plainLayer(ctxB).connect("127.0.0.1:" + a.localPort(), Map.of());
        assertEquals(out, ctxB.awaitDown(T).link());
        assertTrue(ctxA.awaitDown(T).reason().contains("does not offer TLS"));
        try (RawPeer p = new RawPeer(a.localPort())) {
            p.contact(4, 0);
            p.readContact();
            assertArrayEquals(Bytes.hex("05 00 04"), p.readToEnd());
        }
    }

    @Test
    void tlsOfferedButNotRequiredFallsBackToPlainWithAPlainPeer() throws Exception {
        Tcpclv4Layer a = tlsLayer(ctxA, nodeKeys, false);
        Link out = plainLayer(ctxB).connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        Link in = ctxA.awaitUp(T);
        assertNull(((Tcpclv4Session) in).tlsProtocol());
        Outcome o = new Outcome();
        out.transmit(ByteBuffer.wrap("plain".getBytes(StandardCharsets.US_ASCII)), o);
        assertEquals("plain", new String(ctxA.awaitReceived(T).data(), StandardCharsets.US_ASCII));
        assertEquals(Outcome.OK, o.await(T));
    }

    @Test
    void untrustedCertificateFailsTheHandshake() throws Exception {
        Tcpclv4Layer a = tlsLayer(ctxA, nodeKeys, true);
        Tcpclv4Layer b = tlsLayer(ctxB, otherKeys, true);
        Link out = b.connect("127.0.0.1:" + a.localPort(), Map.of());
        FakeClaContext.Down down = ctxB.awaitDown(T);
        assertEquals(out, down.link());
        assertTrue(ctxB.up.isEmpty());
        assertTrue(ctxA.awaitDown(T).reason().contains("TLS"));
    }

    @Test
    void bundleEidOtherNameIsDecoded() {
        // OtherName { 1.3.6.1.5.5.7.8.11, [0] IA5String "ipn:7.0" }
        byte[] der = Bytes.hex("3015 0608 2b0601050507080b a009 1607 69706e3a372e30");
        assertEquals("ipn:7.0", Tls.bundleEid(der));
        byte[] otherOid = Bytes.hex("3015 0608 2b0601050507080c a009 1607 69706e3a372e30");
        assertNull(Tls.bundleEid(otherOid));
        assertNull(Tls.bundleEid(Bytes.hex("3015 0608 2b06")));
    }
}
