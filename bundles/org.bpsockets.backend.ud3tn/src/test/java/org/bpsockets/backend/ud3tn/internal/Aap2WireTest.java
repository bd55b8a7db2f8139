package org.bpsockets.backend.ud3tn.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Keepalive;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ResponseStatus;
import org.bpsockets.cla.common.testing.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-exact framing against the golden bytes seen on µD3TN v0.13.0's wire (shared/ref/ud3tn-aap2.md). */
class Aap2WireTest {

    @TempDir
    Path dir;

    /** A raw peer: sends {@code greeting}, then collects exactly {@code expect} bytes from the client. */
    private CompletableFuture<byte[]> rawPeer(ServerSocketChannel server, byte[] greeting, int expect, byte[] after) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel ch = server.accept()) {
                ch.write(ByteBuffer.wrap(greeting));
                ByteBuffer got = ByteBuffer.allocate(expect);
                while (got.hasRemaining() && ch.read(got) >= 0) {
                    // reading exactly what the client wrote
                }
                ch.write(ByteBuffer.wrap(after));
                return got.array();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void writesAndReadsMicroD3tnsExactBytes() throws Exception {
        Path socket = dir.resolve("aap2.socket");
        byte[] welcome = hex("2f 0b 0a 09 0a 07 69 70 6e 3a 31 2e 30"); // magic, Welcome(ipn:1.0)
        byte[] config = cat(hex("16 12 14 08 01 1a 06"), ascii("s3cret"), hex("22 08"), ascii("ipn:2.44"));
        byte[] adu = cat(hex("0e 1a 0c 12 08"), ascii("ipn:2.44"), hex("28 09"), ascii("123456789"));
        byte[] keepalive = hex("02 32 00");
        byte[] success = hex("02 08 01");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<byte[]> written = rawPeer(server, welcome,
                    config.length + adu.length + keepalive.length, success);
            try (Aap2Wire wire = Aap2Wire.connect(socket.toString())) {
                assertEquals("ipn:1.0", wire.welcome().getNodeId());
                EndpointState state = new EndpointState(null, "ipn:2.44", "s3cret", Runnable::run);
                wire.write(AAPMessage.newBuilder().setConfig(Sender.config(state, true, 0)).build(), null);
                wire.write(AAPMessage.newBuilder().setAdu(BundleADU.newBuilder().setDstEid("ipn:2.44").setPayloadLength(9))
                        .build(), ByteBuffer.wrap(ascii("123456789")));
                wire.write(AAPMessage.newBuilder().setKeepalive(Keepalive.getDefaultInstance()).build(), null);
                assertArrayEquals(cat(config, adu, keepalive), written.get(10, TimeUnit.SECONDS));
                assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, wire.readResponse().getResponseStatus());
            }
        }
    }

    @Test
    void speaksTheSameOverTcpWhereANodeOffersIt() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            int port = ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
            byte[] keepalive = hex("02 32 00");
            CompletableFuture<byte[]> written = rawPeer(server, hex("2f 0b 0a 09 0a 07 69 70 6e 3a 31 2e 30"),
                    keepalive.length, hex("02 08 02"));
            try (Aap2Wire wire = Aap2Wire.connect("127.0.0.1:" + port)) {
                assertEquals("ipn:1.0", wire.welcome().getNodeId());
                wire.write(AAPMessage.newBuilder().setKeepalive(Keepalive.getDefaultInstance()).build(), null);
                assertArrayEquals(keepalive, written.get(10, TimeUnit.SECONDS));
                assertEquals(ResponseStatus.RESPONSE_STATUS_ACK, wire.readResponse().getResponseStatus());
            }
        }
    }

    @Test
    void refusesAPeerThatIsNotAnAap2Agent() throws Exception {
        Path socket = dir.resolve("other.socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            // AAP v1's WELCOME (0x17) where AAP 2.0's magic byte belongs.
            rawPeer(server, hex("17 00 07 69 70 6e 3a 31 2e 30"), 0, new byte[0]);
            IOException e = assertThrows(IOException.class, () -> Aap2Wire.connect(socket.toString()));
            assertTrue(e.getMessage().contains("not an AAP 2.0 server"), e.getMessage());
        }
    }

    @Test
    void refusesAnOversizedFrameAsAStreamOutOfStep() throws Exception {
        Path socket = dir.resolve("big.socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            rawPeer(server, hex("2f ff ff ff 7f"), 0, new byte[0]);
            IOException e = assertThrows(IOException.class, () -> Aap2Wire.connect(socket.toString()));
            assertTrue(e.getMessage().contains("out of step"), e.getMessage());
        }
    }

    @Test
    void parsesBothAddressForms() {
        assertTrue(Aap2Wire.parseAddress("/run/ud3tn/aap2.socket") instanceof UnixDomainSocketAddress);
        assertEquals(4243, ((java.net.InetSocketAddress) Aap2Wire.parseAddress("127.0.0.1:4243")).getPort());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Aap2Wire.parseAddress("ud3tn"));
        assertTrue(e.getMessage().contains("neither a UNIX socket path"), e.getMessage());
    }

    @Test
    void readsTheBpduFlagOfEitherVersion() throws Exception {
        assertTrue(Aap2Dialect.isBpdu(BundleADU.newBuilder().setAduFlagsValue(1).build()));
        // Newer AAP 2.0: adu_flags repeated, packed: field 6, length 1, value 1.
        BundleADU newer = BundleADU.parseFrom(cat(hex("12 01"), ascii("x"), hex("32 01 01")));
        assertTrue(Aap2Dialect.isBpdu(newer));
        BundleADU normal = BundleADU.parseFrom(cat(hex("32 01 00")));
        assertEquals(false, Aap2Dialect.isBpdu(normal));
    }

    static byte[] hex(String spaced) {
        return Bytes.hex(spaced.replace(" ", ""));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
