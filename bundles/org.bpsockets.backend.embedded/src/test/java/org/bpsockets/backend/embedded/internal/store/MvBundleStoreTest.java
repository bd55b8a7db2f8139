package org.bpsockets.backend.embedded.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvBundleStoreTest {

    /**
     * The fault testbed's full-disk scenario: the store's file had filled its file system; every
     * bundle was then forwarded and removed, but the file kept its size, so the file system's free
     * space stayed low and the node refused every new bundle for ever. Space inside the file that new
     * writes reuse counts as usable.
     */
    @Test
    void spaceFreedInsideTheFileCountsAsUsable(@TempDir Path dir) throws Exception {
        // No retention time: removed data is reusable at once (in the node, 45 s later).
        MvBundleStore store = new MvBundleStore(dir.resolve("bundles.mv"), false, 0);
        try {
            byte[] bundle = new byte[256 * 1024];
            CompletableFuture<Void> last = null;
            for (long k = 0; k < 240; k++) { // 60 MiB
                last = store.put(k, ByteBuffer.wrap(bundle), new byte[] {1, 0, 1}).toCompletableFuture();
            }
            last.get(60, TimeUnit.SECONDS);
            long fileSize = Files.size(dir.resolve("bundles.mv"));
            Thread.sleep(150); // the usable space is read at most every 100 ms
            long before = store.usableSpace();
            for (long k = 0; k < 240; k++) {
                last = store.remove(k).toCompletableFuture();
            }
            last.get(60, TimeUnit.SECONDS);
            store.put(1000, ByteBuffer.wrap(new byte[10]), new byte[] {1, 0, 1}).toCompletableFuture().get(60,
                    TimeUnit.SECONDS); // one more commit
            assertEquals(1, store.count());
            Thread.sleep(150);
            long after = store.usableSpace();
            assertTrue(Files.size(dir.resolve("bundles.mv")) >= fileSize / 2,
                    "the file does not give its space back to the file system (else this test proves nothing)");
            assertTrue(after - before > 30L << 20, "60 MiB removed: usable space grew by " + (after - before) + " bytes");
        } finally {
            store.close();
        }
    }
}
