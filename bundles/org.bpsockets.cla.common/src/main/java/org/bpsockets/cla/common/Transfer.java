package org.bpsockets.cla.common;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.bpsockets.node.api.cla.TransmitCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundle handed to {@link AbstractLink#transmit}: a view of the caller's bytes (never a copy, never
 * moving the caller's position) and its callback, which runs exactly once.
 */
public final class Transfer {
    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);
    private static final AtomicIntegerFieldUpdater<Transfer> DONE =
            AtomicIntegerFieldUpdater.newUpdater(Transfer.class, "done");

    private final AbstractLink link;
    private final ByteBuffer buffer;
    private final byte[] array;
    private final int start;
    private final int length;
    private final TransmitCallback callback;
    private volatile int done;

    /** Protocol state, owned by the session: transfer ID (TCPCLv4). */
    public long id;
    /** Protocol state: bytes written so far. */
    public long written;

    Transfer(AbstractLink link, ByteBuffer bundle, TransmitCallback callback) {
        this.link = link;
        this.callback = callback;
        this.length = bundle.remaining();
        if (bundle.hasArray()) {
            this.array = bundle.array();
            this.start = bundle.arrayOffset() + bundle.position();
            this.buffer = null;
        } else {
            this.array = null;
            this.start = bundle.position();
            this.buffer = bundle;
        }
    }

    public int length() {
        return length;
    }

    /** The link it was handed to. */
    public AbstractLink link() {
        return link;
    }

    /** The backing array, or null for a direct buffer (then use {@link #copy}). */
    public byte[] array() {
        return array;
    }

    /** Offset of the bundle's first byte in {@link #array()}. */
    public int arrayOffset() {
        return start;
    }

    /** Copies {@code len} bytes starting at bundle offset {@code from}. */
    public void copy(int from, byte[] dst, int dstOffset, int len) {
        if (array != null) {
            System.arraycopy(array, start + from, dst, dstOffset, len);
        } else {
            buffer.get(start + from, dst, dstOffset, len);
        }
    }

    public boolean isDone() {
        return done != 0;
    }

    /** The peer has it (or, for a layer without acknowledgements, it was written). */
    public boolean complete() {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return false;
        }
        link.released(length);
        try {
            callback.transmitted();
        } catch (Throwable e) {
            LOG.warn("{}: transmit callback threw", link.id(), e);
        }
        return true;
    }

    public boolean fail(String reason) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return false;
        }
        link.released(length);
        try {
            callback.failed(reason);
        } catch (Throwable e) {
            LOG.warn("{}: transmit callback threw", link.id(), e);
        }
        return true;
    }
}
