package org.bpsockets.backend.ud3tn.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;

import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.cla.common.testing.Ud3tnPeer;

/**
 * Two real µD3TN nodes (ipn:1.0 and ipn:2.0, BPSOCKETS_UD3TN_BIN), each served by a backend, with
 * contacts both ways over TCPCLv3 given through the backends.
 */
final class Ud3tnPair implements AutoCloseable {
    final Ud3tnPeer peerA;
    final Ud3tnPeer peerB;
    final Ud3tnBackend backendA;
    final Ud3tnBackend backendB;

    private Ud3tnPair(Ud3tnPeer a, Ud3tnPeer b, Ud3tnBackend backendA, Ud3tnBackend backendB) {
        this.peerA = a;
        this.peerB = b;
        this.backendA = backendA;
        this.backendB = backendB;
    }

    static Ud3tnBackend backend(Ud3tnPeer peer) throws InterruptedException {
        Ud3tnBackend backend = new Ud3tnBackend(TestConfigs.of(Ud3tnConfig.class, "socket",
                peer.dir.resolve("aap2.socket").toString()));
        await(() -> backend.nodeId().isPresent(), "the backend reaches µD3TN " + peer.nodeId);
        return backend;
    }

    static Ud3tnPair start() throws Exception {
        Ud3tnPeer a = Ud3tnPeer.start("ipn:1.0");
        Ud3tnPeer b = Ud3tnPeer.start("ipn:2.0");
        Ud3tnBackend backendA = backend(a);
        Ud3tnBackend backendB = backend(b);
        Ud3tnPair pair = new Ud3tnPair(a, b, backendA, backendB);
        try {
            java.time.Instant now = java.time.Instant.now().minusSeconds(5);
            backendA.addContact(new Ud3tnContact("to-b", EndpointId.parse("ipn:2.0"), "tcpclv3:127.0.0.1:"
                    + b.tcpclv3Port, List.of(), now, now.plusSeconds(3600), 100_000_000L));
            backendB.addContact(new Ud3tnContact("to-a", EndpointId.parse("ipn:1.0"), "tcpclv3:127.0.0.1:"
                    + a.tcpclv3Port, List.of(), now, now.plusSeconds(3600), 100_000_000L));
            a.awaitLog("ipn:2.0", 10);
            b.awaitLog("ipn:1.0", 10);
        } catch (Exception | AssertionError e) {
            String logs = "\n--- µD3TN A ---\n" + a.log() + "\n--- µD3TN B ---\n" + b.log();
            pair.close();
            throw new AssertionError(e.getMessage() + logs, e);
        }
        return pair;
    }

    @Override
    public void close() throws InterruptedException {
        backendA.deactivate();
        backendB.deactivate();
        peerA.close();
        peerB.close();
    }
}
