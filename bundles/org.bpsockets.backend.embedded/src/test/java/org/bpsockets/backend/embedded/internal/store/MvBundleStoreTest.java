package org.bpsockets.backend.embedded.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crash-safe store on a disk that fills up: it must give the space back and go on working. */
class MvBundleStoreTest {

    private static final byte[] BUNDLE = new byte[50_000];

    @Test
    void aFileThatGrewShrinksOnceItsBundlesHaveLeft(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("b.mv");
        try (MvBundleStore store = new MvBundleStore(file, false)) {
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            for (long k = 0; k < 800; k++) {
                puts.add(store.put(k, ByteBuffer.wrap(BUNDLE), new byte[] {1}).toCompletableFuture());
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long grown = Files.size(file);
            assertTrue(grown > 40_000_000L, "40 MB stored: " + grown);
            for (long k = 0; k < 800; k++) {
                store.remove(k).toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            // Without compaction the file keeps its 40 MB, and a node whose disk it filled refuses for ever.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.size(file) > 20_000_000L && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.size(file) <= 20_000_000L, "the empty store's file shrank: " + Files.size(file));
            assertTrue(store.compactions() >= 1);
            store.put(1000, ByteBuffer.wrap(BUNDLE), new byte[] {2}).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(1, store.count());
        }
        try (MvBundleStore again = new MvBundleStore(file, false)) {
            assertEquals(1, again.count(), "what was stored after compacting is found on reopening");
        }
    }

    @Test
    void aStoreWhoseDiskWasFilledByOthersRefusesThenRecoversWhenSpaceReturnsWithNothingLost(@TempDir Path dir)
            throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString()) == 0,
                "needs root to mount a 48 MB tmpfs (the CI machine and the testbed run as root)");
        try {
            Path file = mount.resolve("b.mv");
            TreeSet<Long> kept = new TreeSet<>();
            try (MvBundleStore store = new MvBundleStore(file, true)) {
                for (long k = 0; k < 100; k++) {
                    put(store, k);
                    kept.add(k);
                }
                // Someone else fills the disk: the store's next write fails and MVStore closes itself.
                Path ballast = mount.resolve("ballast");
                fill(ballast);
                long k = 100;
                int refused = 0;
                for (; k < 140; k++) {
                    try {
                        put(store, k);
                        kept.add(k); // a chunk may still fit in space the file already had
                    } catch (ExecutionException e) {
                        refused++;
                    }
                }
                assertTrue(refused > 0, "a full disk refuses new bundles");
                assertTrue(store.reopens() >= 1, "the store reopened its file after MVStore closed it");
                assertEquals(kept.size(), store.count(), "every acknowledged bundle is still there, nothing else");
                // Removals while the disk is full are kept and retried, not lost...
                List<CompletableFuture<Void>> removals = new ArrayList<>();
                for (long r = 0; r < 50; r++) {
                    removals.add(store.remove(r).toCompletableFuture());
                }
                // ...and once space returns they commit and new bundles are taken again.
                Files.delete(ballast);
                CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                kept.headSet(50L).clear();
                put(store, k);
                kept.add(k);
                assertEquals(kept.size(), store.count());
            }
            try (MvBundleStore again = new MvBundleStore(file, true)) {
                TreeSet<Long> found = new TreeSet<>();
                again.recover((key, b) -> found.add(key));
                assertEquals(kept, found, "after a restart: exactly the bundles acknowledged and not removed");
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static void put(MvBundleStore store, long key) throws Exception {
        store.put(key, ByteBuffer.wrap(BUNDLE), new byte[] {1}).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static void fill(Path ballast) throws java.io.IOException {
        byte[] chunk = new byte[1 << 16];
        try (var out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(chunk);
            }
        } catch (java.io.IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw full;
            }
        }
    }

    private static int run(String... command) throws Exception {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
