package org.bpsockets.backend.ud3tn.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer) for the AAP 2.0 stream from µD3TN: the fuzzer's bytes are what a
 * µD3TN agent sends a subscriber over loopback TCP (magic and Welcome, the answer to the ConnectionConfig,
 * then keepalives and ADUs with their payloads), read through the real {@link Aap2Wire} as
 * {@link Subscriber} reads it. Under {@code mvn install} it runs its committed inputs only
 * ({@code src/test/resources/org/bpsockets/backend/ud3tn/internal/Aap2FuzzTestInputs/}); {@code tools/fuzz
 * ud3tn} fuzzes it. An {@link IOException} (the connection is given up) passes; any other exception is a
 * finding: Subscriber's thread handles only IOException.
 */
class Aap2FuzzTest {
    static final long MAX_PAYLOAD = 64 * 1024;
    static ServerSocketChannel server;

    @BeforeAll
    static void listen() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    @FuzzTest
    void subscriberStream(byte[] input) throws Exception {
        allowLoopback();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Thread peer = new Thread(() -> {
            try (SocketChannel ch = server.accept()) {
                ByteBuffer b = ByteBuffer.wrap(input);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                // the node hung up first
            }
        });
        peer.start();
        try (Aap2Wire wire = Aap2Wire.connect("127.0.0.1:" + port)) {
            assertNotNull(wire.welcome());
            wire.readResponse().getResponseStatus();
            for (int i = 0; i < 1000; i++) {
                AAPMessage message = wire.readMessage();
                if (message.hasKeepalive()) {
                    continue;
                }
                if (!message.hasAdu()) {
                    break;
                }
                BundleADU adu = message.getAdu();
                byte[] payload = wire.readPayload(adu.getPayloadLength(), MAX_PAYLOAD);
                assertTrue(payload.length <= MAX_PAYLOAD);
                try {
                    EndpointId.parse(adu.getSrcEid());
                } catch (EndpointIdSyntaxException e) {
                    // refused, as Subscriber does
                }
            }
        } catch (IOException e) {
            // the connection is given up: a refusal
        } finally {
            peer.join(10_000);
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
