package org.bpsockets.backend.embedded.internal.store;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.bpsockets.node.api.store.BundleStore;
import org.bpsockets.node.api.store.StoredBundle;

/** Bundles in memory only: for tests and for nodes that may lose their bundles when they stop. */
public final class MemoryBundleStore implements BundleStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<Long, StoredBundle> bundles = new ConcurrentSkipListMap<>();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public CompletionStage<Void> put(long key, ByteBuffer bundle, byte[] state) {
        // Kept, not copied: the caller never changes the bytes (BundleStore.put).
        ByteBuffer kept = bundle.slice().asReadOnlyBuffer();
        StoredBundle old = bundles.put(key, new StoredBundle(kept, state.clone()));
        bytes.addAndGet(kept.remaining() - (old == null ? 0 : old.bundle().remaining()));
        return DONE;
    }

    @Override
    public CompletionStage<Void> updateState(long key, byte[] state) {
        bundles.computeIfPresent(key, (k, old) -> new StoredBundle(old.bundle(), state.clone()));
        return DONE;
    }

    @Override
    public CompletionStage<Void> remove(long key) {
        StoredBundle old = bundles.remove(key);
        if (old != null) {
            bytes.addAndGet(-old.bundle().remaining());
        }
        return DONE;
    }

    @Override
    public void recover(BiConsumer<Long, StoredBundle> each) {
        bundles.forEach((k, v) -> each.accept(k, new StoredBundle(v.bundle().duplicate(), v.state().clone())));
    }

    @Override
    public long count() {
        return bundles.size();
    }

    @Override
    public long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
