package org.bpsockets.backend.ud3tn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer) for the AAP 2.0 stream from µD3TN: the fuzzer's bytes are what a
 * µD3TN agent sends a subscriber (magic and Welcome, the answer to the ConnectionConfig, then keepalives
 * and ADUs with their payloads), read through the real {@link Aap2Wire} as {@link Subscriber} reads it,
 * over an in-memory {@link MemoryChannel} (the wire's own constructor on it; no TCP connection or peer
 * thread per input). Under {@code mvn install} it runs its committed inputs only
 * ({@code src/test/resources/org/bpsockets/backend/ud3tn/internal/Aap2FuzzTestInputs/}); {@code tools/fuzz
 * backend.ud3tn} fuzzes it. An {@link IOException} (the connection is given up) passes; any other exception
 * is a finding: Subscriber's thread handles only IOException. {@link #seedsReadAlikeOverLoopback} shows
 * that the in-memory channel reads the committed inputs as a loopback TCP connection does.
 */
class Aap2FuzzTest {
    static final long MAX_PAYLOAD = 64 * 1024;
    /** Aap2Wire's private constructor: the handshake read on an open channel (what connect() does). */
    static final Constructor<Aap2Wire> WIRE;

    static {
        try {
            WIRE = Aap2Wire.class.getDeclaredConstructor(SocketChannel.class);
            WIRE.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("Aap2Wire changed: " + e);
        }
    }

    @FuzzTest
    void subscriberStream(byte[] input) throws Exception {
        read(() -> open(new MemoryChannel(input)));
    }

    interface Connect {
        Aap2Wire connect() throws IOException;
    }

    static Aap2Wire open(SocketChannel channel) throws IOException {
        try {
            return WIRE.newInstance(channel);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e.getCause();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads as Subscriber does; returns what was read (message kinds and payload sizes), for comparison. */
    static List<String> read(Connect connect) {
        List<String> got = new ArrayList<>();
        try (Aap2Wire wire = connect.connect()) {
            assertNotNull(wire.welcome());
            got.add("welcome " + wire.welcome().getNodeId());
            got.add("response " + wire.readResponse().getResponseStatus());
            for (int i = 0; i < 1000; i++) {
                AAPMessage message = wire.readMessage();
                if (message.hasKeepalive()) {
                    got.add("keepalive");
                    continue;
                }
                if (!message.hasAdu()) {
                    got.add("other " + message.getMsgCase());
                    break;
                }
                BundleADU adu = message.getAdu();
                byte[] payload = wire.readPayload(adu.getPayloadLength(), MAX_PAYLOAD);
                assertTrue(payload.length <= MAX_PAYLOAD);
                got.add("adu " + Arrays.hashCode(payload) + "/" + payload.length);
                try {
                    EndpointId.parse(adu.getSrcEid());
                } catch (EndpointIdSyntaxException e) {
                    // refused, as Subscriber does
                }
            }
        } catch (IOException e) {
            // the connection is given up: a refusal
            got.add("given up");
        }
        return got;
    }

    /** Each committed input reads the same in memory as over loopback TCP (Aap2Wire.connect, a peer thread). */
    @Test
    void seedsReadAlikeOverLoopback() throws Exception {
        allowLoopback();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (String name : List.of("adu-keepalive", "adu-with-source", "welcome-success",
                    "regression-negative-payload-length", "regression-payload-length-2-63-plus-5")) {
                byte[] input;
                try (InputStream in = getClass().getResourceAsStream("Aap2FuzzTestInputs/subscriberStream/" + name)) {
                    input = in.readAllBytes();
                }
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
                List<String> overTcp = read(() -> Aap2Wire.connect("127.0.0.1:" + port));
                peer.join(10_000);
                assertEquals(overTcp, read(() -> open(new MemoryChannel(input))), name);
            }
        }
    }

    /** Jazzer's server-side request forgery detector (loaded when fuzzing): this test talks to loopback. */
    static void allowLoopback() {
        try {
            BugDetectors.allowNetworkConnections((host, port) -> true);
        } catch (IllegalStateException e) {
            // regression mode: no detector loaded
        }
    }
}
