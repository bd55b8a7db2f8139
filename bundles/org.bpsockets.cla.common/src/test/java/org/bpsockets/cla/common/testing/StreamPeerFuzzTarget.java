package org.bpsockets.cla.common.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.cla.common.StreamSession;

/**
 * What the stream layers' peer-stream fuzz targets (TCPCLv4, TCPCLv3, MTCP) share: one layer and one
 * recording node per JVM, the input run through {@link StreamPeerFuzzing}, and the seeds. A target class
 * says how to make its layer and an inbound session of it, and declares its own {@code @FuzzTest} method
 * (Jazzer finds the inputs by the class and method that declare it) calling {@link #fuzzOne}.
 *
 * @param <L> the layer
 */
public abstract class StreamPeerFuzzTarget<L extends StreamLayer> {
    /** The node's largest bundle, and so the largest delivery the targets allow. */
    public static final long LIMIT = 1 << 16;

    private record Fixture(FakeClaContext context, StreamLayer layer) {
    }

    private static final Map<Class<?>, Fixture> FIXTURES = new ConcurrentHashMap<>();

    /** The layer under test, listening on a free loopback port (for {@link #seedDeliveries}). */
    protected abstract L newLayer(FakeClaContext context) throws IOException;

    /** The layer's inbound session on an accepted connection (its {@code newInbound}). */
    protected abstract StreamSession newInbound(L layer, Socket accepted) throws IOException;

    private Fixture fixture() {
        return FIXTURES.computeIfAbsent(getClass(), c -> {
            FakeClaContext context = new FakeClaContext("ipn:1.0").maxBundleSize(LIMIT);
            try {
                L layer = newLayer(context);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> layer.shutdown(1000)));
                return new Fixture(context, layer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    protected final FakeClaContext context() {
        return fixture().context();
    }

    @SuppressWarnings("unchecked")
    protected final L layer() {
        return (L) fixture().layer();
    }

    /** One fuzz input: everything the peer sends, to a real inbound session in memory. */
    protected final void fuzzOne(byte[] input) throws Exception {
        L layer = layer();
        StreamPeerFuzzing.run(accepted -> newInbound(layer, accepted), context(), input, LIMIT);
    }

    /** A committed input of this class's {@code peerStream} target. */
    protected final byte[] seed(String name) throws IOException {
        String path = getClass().getSimpleName() + "Inputs/peerStream/" + name;
        try (InputStream in = getClass().getResourceAsStream(path)) {
            assertNotNull(in, path);
            return in.readAllBytes();
        }
    }

    /**
     * What a seed delivers, run as the fuzzer runs it (in memory) and over a real loopback connection to
     * the layer's listener: both must deliver the same bundles, which are returned.
     */
    protected final List<byte[]> seedDeliveries(String name) throws Exception {
        byte[] input = seed(name);
        fuzzOne(input);
        List<byte[]> inMemory = context().received.stream().map(FakeClaContext.Received::data).toList();
        StreamPeerFuzzing.runOverLoopback(layer(), context(), input, LIMIT);
        List<byte[]> overTcp = context().received.stream().map(FakeClaContext.Received::data).toList();
        assertEquals(overTcp.size(), inMemory.size(), "deliveries in memory and over loopback");
        for (int i = 0; i < overTcp.size(); i++) {
            assertArrayEquals(overTcp.get(i), inMemory.get(i), "delivery " + i + " in memory and over loopback");
        }
        return inMemory;
    }
}
