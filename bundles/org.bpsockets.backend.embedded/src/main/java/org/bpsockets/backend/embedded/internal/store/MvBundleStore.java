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
 *
 * <p>Two things keep a store on a disk that once filled usable (docs/decisions/0016): an MVStore file
 * never shrinks by itself, so when it has grown well beyond what it holds the writer compacts it while
 * idle (the node measures free space on the file system, and would otherwise refuse for ever); and a
 * write that fails (no space left) makes MVStore close itself, so the writer reopens the file (the last
 * commit is intact), fails the puts of that group and retries its removals and state changes.
 */
public final class MvBundleStore implements BundleStore {

    private static final Logger LOG = LoggerFactory.getLogger(MvBundleStore.class);
    private static final int MAX_GROUP = 8192;
    /** Compact when the file holds this much more than its bundles (and twice their size). */
    private static final long COMPACT_SLACK = 16L << 20;
    private static final long COMPACT_EVERY_NANOS = 5_000_000_000L;
    private static final int COMPACT_MILLIS = 300;

    /** The open file and its maps; replaced when the writer reopens the file. */
    private volatile Db db;
    private final boolean syncToDisk;
    private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong bytes = new AtomicLong();
    private final Path file;
    /** The file system's free space, read at most every 100 ms: [bytes, when]. */
    private volatile long[] usable = {Long.MAX_VALUE, Long.MIN_VALUE};
    private volatile boolean closing;
    /** Removals and state changes whose commit failed, tried again before anything else (writer only). */
    private final List<Write> retry = new ArrayList<>();
    /** The last commit failed: the next that succeeds says so (writer only). */
    private boolean wasFailing;
    private long lastCompaction = System.nanoTime() - COMPACT_EVERY_NANOS;
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong reopens = new AtomicLong();

    private record Write(long key, byte[] bundle, byte[] state, boolean remove, CompletableFuture<Void> done) {
    }

    private record Db(MVStore store, MVMap<Long, byte[]> bundles, MVMap<Long, byte[]> states) {

        static Db open(Path file) {
            MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
            return new Db(store, map(store, "bundles"), map(store, "states"));
        }

        private static MVMap<Long, byte[]> map(MVStore store, String name) {
            return store.openMap(name, new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
                    .valueType(ByteArrayDataType.INSTANCE));
        }

        long liveBytes() {
            long total = 0;
            for (byte[] b : bundles.values()) {
                total += b.length;
            }
            return total;
        }
    }

    public MvBundleStore(Path file, boolean syncToDisk) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the store's folder for " + file, e);
        }
        this.file = file.toAbsolutePath();
        this.db = Db.open(this.file);
        this.syncToDisk = syncToDisk;
        bytes.set(db.liveBytes());
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
        // The node never changes what it stores (BundleStore.put): a whole array is kept, not copied.
        byte[] kept;
        if (bundle.hasArray() && bundle.arrayOffset() + bundle.position() == 0
                && bundle.remaining() == bundle.array().length) {
            kept = bundle.array();
        } else {
            kept = new byte[bundle.remaining()];
            bundle.duplicate().get(kept);
        }
        return enqueue(new Write(key, kept, state.clone(), false, new CompletableFuture<>()));
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
        while (!closing || !queue.isEmpty() || !retry.isEmpty()) {
            try {
                group.addAll(retry);
                retry.clear();
                Write first = group.isEmpty() ? queue.poll(200, TimeUnit.MILLISECONDS) : queue.poll();
                if (first != null) {
                    group.add(first);
                    queue.drainTo(group, MAX_GROUP);
                }
                if (group.isEmpty()) {
                    compactIfWasteful();
                    continue;
                }
                commit(group);
                if (queue.isEmpty()) {
                    compactIfWasteful();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                group.clear();
            }
        }
    }

    /** Applies and commits a group; on failure fails its puts and keeps its other writes for a retry. */
    private void commit(List<Write> group) {
        Db d = db;
        try {
            for (Write w : group) {
                apply(d, w);
            }
            d.store().commit();
            if (syncToDisk) {
                d.store().sync();
            }
        } catch (RuntimeException e) {
            failed(group, e);
            return;
        }
        if (wasFailing) {
            wasFailing = false;
            LOG.info("The store {} writes again", file);
        }
        for (Write w : group) {
            w.done().complete(null);
        }
    }

    private void failed(List<Write> group, RuntimeException e) {
        boolean first = !wasFailing;
        wasFailing = true;
        if (first) {
            LOG.error("Writing {} changes to the store {} failed; refusing its new bundles and retrying its removals",
                    group.size(), file, e);
        }
        reopen(first);
        for (Write w : group) {
            if (w.bundle() == null && !closing) {
                retry.add(w); // a removal or state change: it must not be lost
            } else {
                w.done().completeExceptionally(e);
            }
        }
        if (!retry.isEmpty()) {
            sleepQuietly(200); // do not spin on a disk that stays full
        }
    }

    /**
     * After a failed write MVStore has closed itself: open the file again at its last commit, whose
     * contents are all the store counts.
     */
    private void reopen(boolean log) {
        Db old = db;
        if (!old.store().isClosed()) {
            old.store().rollback();
            bytes.set(old.liveBytes());
            return;
        }
        old.store().closeImmediately();
        try {
            Db d = Db.open(file);
            db = d;
            bytes.set(d.liveBytes());
            reopens.incrementAndGet();
            if (log) {
                LOG.info("Reopened the store {} at its last commit: {} bundles", file, d.bundles().sizeAsLong());
            }
        } catch (RuntimeException again) {
            if (log) {
                LOG.warn("Cannot reopen the store {} yet: {}", file, again.toString());
            }
        }
    }
    /**
     * MVStore's file never shrinks by itself: once it has grown (say, while a link was down) the file
     * system's free space, which the node checks before it accepts a bundle, would stay low after the
     * bundles have left. So, while idle and at most every few seconds, compact a file that holds far
     * more than its bundles: in place if MVStore can (it cannot move chunks it still keeps for recent
     * versions), else by copying what is live into a new file that replaces the old one.
     */
    private void compactIfWasteful() {
        long now = System.nanoTime();
        Db d = db;
        if (closing || d.store().isClosed() || now - lastCompaction < COMPACT_EVERY_NANOS
                || !wasteful(d.store().getFileStore().size())) {
            return;
        }
        lastCompaction = now;
        long before = d.store().getFileStore().size();
        try {
            d.store().compactFile(COMPACT_MILLIS);
            if (wasteful(d.store().getFileStore().size())) {
                copyCompact();
            }
            compactions.incrementAndGet();
            LOG.info("Compacted the store {}: {} MB to {} MB for {} MB of bundles", file, before >> 20,
                    db.store().getFileStore().size() >> 20, bytes.get() >> 20);
        } catch (RuntimeException | java.io.IOException e) {
            LOG.warn("Compacting the store {} failed: {}", file, e.toString());
            reopen(true);
        }
    }

    private boolean wasteful(long fileSize) {
        return fileSize >= 2 * bytes.get() + COMPACT_SLACK;
    }

    /**
     * Copies the live bundles into a new file, synced, then renames it over the old one: until the
     * rename the old file is whole, after it the new one is, so a crash in between loses nothing.
     */
    private void copyCompact() throws java.io.IOException {
        Path copy = file.resolveSibling(file.getFileName() + ".compacting");
        long live = bytes.get();
        if (Files.getFileStore(file).getUsableSpace() < 2 * live + COMPACT_SLACK) {
            return; // no room for the copy now; the next idle moment tries again
        }
        Files.deleteIfExists(copy);
        Db d = db;
        d.store().commit();
        Db target = Db.open(copy);
        try {
            target.bundles().putAll(d.bundles());
            target.states().putAll(d.states());
            target.store().commit();
            target.store().sync();
        } finally {
            target.store().close();
        }
        d.store().close();
        Files.move(copy, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var dir = java.nio.channels.FileChannel.open(file.getParent(), java.nio.file.StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a power loss
        }
        db = Db.open(file);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Times the file was compacted (for tests). */
    long compactions() {
        return compactions.get();
    }

    /** Times the file was reopened after a failed write (for tests). */
    long reopens() {
        return reopens.get();
    }

    private void apply(Db d, Write w) {
        MVMap<Long, byte[]> bundles = d.bundles();
        MVMap<Long, byte[]> states = d.states();
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
        MVMap<Long, byte[]> states = db.states();
        for (Map.Entry<Long, byte[]> e : db.bundles().entrySet()) {
            byte[] state = states.get(e.getKey());
            each.accept(e.getKey(), new StoredBundle(ByteBuffer.wrap(e.getValue()).asReadOnlyBuffer(),
                    state == null ? new byte[0] : state));
        }
    }

    @Override
    public long count() {
        return db.bundles().sizeAsLong();
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
        Db d = db;
        if (!d.store().isClosed()) {
            d.store().close();
        }
    }
}
