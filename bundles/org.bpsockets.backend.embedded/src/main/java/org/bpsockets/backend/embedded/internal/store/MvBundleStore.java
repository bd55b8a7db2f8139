package org.bpsockets.backend.embedded.internal.store;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.bpsockets.node.api.store.BundleStore;
import org.bpsockets.node.api.store.StoredBundle;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bundles in an H2 MVStore file: a copy-on-write B-tree whose commits are written to the file before
 * their writes complete, so what completed survives a kill -9 of the node (and, with
 * {@code syncToDisk}, a power loss). Writes are grouped: one thread applies every queued write and
 * commits once for all of them (group commit), which is what makes tens of thousands of bundles a
 * second possible on one disk.
 */
public final class MvBundleStore implements BundleStore {

    private static final Logger LOG = LoggerFactory.getLogger(MvBundleStore.class);
    private static final int MAX_GROUP = 8192;

    private final MVStore store;
    private final MVMap<Long, byte[]> bundles;
    private final MVMap<Long, byte[]> states;
    private final boolean syncToDisk;
    private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong bytes = new AtomicLong();
    private final Path file;
    /** The file system's free space, read at most every 100 ms: [bytes, when]. */
    private volatile long[] usable = {Long.MAX_VALUE, Long.MIN_VALUE};
    private volatile boolean closing;

    private record Write(long key, byte[] bundle, byte[] state, boolean remove, CompletableFuture<Void> done) {
    }

    public MvBundleStore(Path file, boolean syncToDisk) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the store's folder for " + file, e);
        }
        this.file = file.toAbsolutePath();
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        this.bundles = store.openMap("bundles",
                new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.states = store.openMap("states",
                new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.syncToDisk = syncToDisk;
        long total = 0;
        for (byte[] b : bundles.values()) {
            total += b.length;
        }
        bytes.set(total);
        this.writer = new Thread(this::writeLoop, "bp-store-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public String name() {
        return "mvstore";
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public CompletionStage<Void> put(long key, ByteBuffer bundle, byte[] state) {
        byte[] copy = new byte[bundle.remaining()];
        bundle.duplicate().get(copy);
        return enqueue(new Write(key, copy, state.clone(), false, new CompletableFuture<>()));
    }

    @Override
    public CompletionStage<Void> updateState(long key, byte[] state) {
        return enqueue(new Write(key, null, state.clone(), false, new CompletableFuture<>()));
    }

    @Override
    public CompletionStage<Void> remove(long key) {
        return enqueue(new Write(key, null, null, true, new CompletableFuture<>()));
    }

    private CompletionStage<Void> enqueue(Write w) {
        if (closing) {
            w.done().completeExceptionally(new IllegalStateException("the store is closed"));
        } else {
            queue.add(w);
        }
        return w.done();
    }

    private void writeLoop() {
        List<Write> group = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Write first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP);
                for (Write w : group) {
                    apply(w);
                }
                store.commit();
                if (syncToDisk) {
                    store.sync();
                }
                for (Write w : group) {
                    w.done().complete(null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Writing {} bundles to the store failed", group.size(), e);
                for (Write w : group) {
                    w.done().completeExceptionally(e);
                }
            } finally {
                group.clear();
            }
        }
    }

    private void apply(Write w) {
        if (w.remove()) {
            byte[] old = bundles.remove(w.key());
            states.remove(w.key());
            if (old != null) {
                bytes.addAndGet(-old.length);
            }
            return;
        }
        if (w.bundle() != null) {
            byte[] old = bundles.put(w.key(), w.bundle());
            bytes.addAndGet(w.bundle().length - (old == null ? 0 : old.length));
        }
        if (w.bundle() != null || bundles.containsKey(w.key())) {
            states.put(w.key(), w.state());
        }
    }

    @Override
    public void recover(BiConsumer<Long, StoredBundle> each) {
        for (Map.Entry<Long, byte[]> e : bundles.entrySet()) {
            byte[] state = states.get(e.getKey());
            each.accept(e.getKey(), new StoredBundle(ByteBuffer.wrap(e.getValue()).asReadOnlyBuffer(),
                    state == null ? new byte[0] : state));
        }
    }

    @Override
    public long count() {
        return bundles.sizeAsLong();
    }

    @Override
    public long bytes() {
        return bytes.get();
    }

    @Override
    public long usableSpace() {
        long now = System.nanoTime();
        long[] u = usable;
        if (u[1] == Long.MIN_VALUE || now - u[1] > 100_000_000L) {
            try {
                u = new long[] {Files.getFileStore(file).getUsableSpace(), now};
            } catch (java.io.IOException e) {
                u = new long[] {0, now}; // cannot tell: refuse rather than risk the store
            }
            usable = u;
        }
        return u[0];
    }

    @Override
    public void close() {
        closing = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
