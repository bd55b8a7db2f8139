package org.bpsockets.cla.tcpclv3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.IonPeer;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestBundles;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.junit.jupiter.api.Test;

/**
 * Against a real ION node (BPSOCKETS_ION_PREFIX): acknowledged TCPCLv3 both ways, an echo from
 * bpecho, a 200 kB file from bpsendfile (which ION splits into segments) and a 200 kB bundle to
 * bprecvfile.
 */
class Tcpclv3IonInteropTest {
    static final Duration T = Duration.ofSeconds(60);

    @Test
    void bundlesBothWaysWithIon() throws Exception {
        assumeTrue(IonPeer.prefix() != null, IonPeer.skipMessage());
        FakeClaContext ctx = new FakeClaContext("ipn:1.0");
        Tcpclv3Layer layer = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0));
        IonPeer ion = IonPeer.start("tcp", layer.localPort());
        try {
            Link out = layer.connect("127.0.0.1:" + ion.inductPort, Map.of());
            // ION connects to us for its plan as well, maybe first: wait for our own link.
            while (ctx.awaitUp(T) != out) {
                // ION's connection: a link of its own
            }
            assertEquals(Optional.of(EndpointId.parse("ipn:2.0")), out.peerNodeId());
            assertTrue(((Tcpclv3Session) out).acksNegotiated(), "ION asks for acknowledgements");

            byte[] small = Bytes.pattern(500, 1);
            send(out, TestBundles.bundle("ipn:1.1", "ipn:2.1", small));
            Bundle echo = TestBundles.decode(ctx.awaitReceived(T).data());
            assertEquals(EndpointId.parse("ipn:1.1"), echo.primary().destination());
            assertArrayEquals(small, TestBundles.payload(echo));

            byte[] file = Bytes.pattern(200_000, 2);
            Files.write(ion.dir.resolve("big.bin"), file);
            ion.run(60, "bpsendfile", "ipn:2.2", "ipn:1.1", "big.bin");
            Bundle received = TestBundles.decode(ctx.awaitReceived(T).data());
            assertArrayEquals(file, TestBundles.payload(received), "ION's segmented bundle reassembled");

            ion.spawn("bprecvfile", "ipn:2.3", "1");
            byte[] big = Bytes.pattern(200_000, 3);
            send(out, TestBundles.bundle("ipn:1.1", "ipn:2.3", big));
            Path got = ion.dir.resolve("testfile1");
            long end = System.nanoTime() + T.toNanos();
            while (!(Files.exists(got) && Files.size(got) == big.length)) {
                assertTrue(System.nanoTime() < end, "bprecvfile wrote no complete file");
                Thread.sleep(50);
            }
            assertTrue(Arrays.equals(big, Files.readAllBytes(got)), "ION received our single-segment bundle intact");
            out.close();
            assertSame(out, ctx.awaitDown(T).link());
            assertEquals(0, layer.problems().total(), layer.problems().snapshot().toString());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + ion.log(), e);
        } finally {
            layer.shutdown(5000);
            ion.close();
        }
    }

    private static void send(Link link, byte[] bundle) throws InterruptedException {
        Outcome o = new Outcome();
        assertTrue(link.transmit(ByteBuffer.wrap(bundle), o));
        assertEquals(Outcome.OK, o.await(T), "acknowledged by ION");
    }
}
