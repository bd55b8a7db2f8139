package org.bpsockets.node.api.store;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the node keeps the bundles it accepted until it no longer owes anything for them. Writes are
 * asynchronous and may be grouped; a stage completes when its write is as durable as the store is
 * (for a durable store: it survives a kill -9 of the node). Writes of one key complete in the order
 * they were made.
 */
@ConsumerType
public interface BundleStore extends AutoCloseable {

    /** A short name: "mvstore", "memory". */
    String name();

    /** True if what a completed write stored survives a crash of the node. */
    boolean durable();

    /**
     * Stores an encoded bundle under a key, with a few bytes of the node's own state about it.
     *
     * @param bundle read from position to limit. The caller never changes these bytes afterwards, so a store
     *        may keep the buffer instead of a copy (the memory store does: a copy per bundle is what the
     *        node's speed goals count, issue 18)
     */
    CompletionStage<Void> put(long key, ByteBuffer bundle, byte[] state);

    /** Replaces the node's state of a stored bundle. */
    CompletionStage<Void> updateState(long key, byte[] state);

    CompletionStage<Void> remove(long key);

    /** Calls back with every stored bundle (key, record), in key order: what the node recovers at start. */
    void recover(BiConsumer<Long, StoredBundle> each);

    /** Bundles stored now. */
    long count();

    /** Bytes stored now, as the store counts them. */
    long bytes();

    /**
     * Bytes still free where the store writes (its file system), so the node can refuse a bundle before
     * the disk is full; {@code Long.MAX_VALUE} for a store that does not write to disk.
     */
    default long usableSpace() {
        return Long.MAX_VALUE;
    }

    @Override
    void close();
}
