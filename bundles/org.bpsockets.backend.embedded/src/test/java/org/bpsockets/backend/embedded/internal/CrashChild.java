package org.bpsockets.backend.embedded.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;

/**
 * Runs in its own JVM for CrashRecoveryTest: a node with a file store accepts N bundles for an endpoint
 * nobody has registered, says "accepted N" once every send completed, and keeps sending until it is
 * killed (so the kill lands while writes are in progress).
 */
public final class CrashChild {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        NodeCore node = new NodeCore(NodeSettings.defaults(EndpointId.parse("ipn:1.0")), new MvBundleStore(file, false),
                new StaticRouter());
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sends.add(node.send(NodeCoreTest.request("ipn:1.1", "ipn:1.2", "bundle " + i, BundleOptions.DEFAULTS))
                    .toCompletableFuture());
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get();
        System.out.println("accepted " + n);
        System.out.flush();
        for (int i = n; ; i++) {
            node.send(NodeCoreTest.request("ipn:1.1", "ipn:1.3", "more " + i, BundleOptions.DEFAULTS));
            if (i % 1000 == 0) {
                Thread.sleep(1);
            }
        }
    }
}
