package org.bpsockets.cla.common;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.bpsockets.node.api.cla.TransmitCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundle handed to {@link AbstractLink#transmit}: a view of the caller's bytes (never a copy, never
 * moving the caller's position), in one part or several (re-encoded blocks, then a stored payload), and
 * its callback, which runs exactly once.
 */
public final class Transfer {
    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);
    private static final AtomicIntegerFieldUpdater<Transfer> DONE =
            AtomicIntegerFieldUpdater.newUpdater(Transfer.class, "done");

    private final AbstractLink link;
    /** Per part: its buffer (null when it has an accessible array), array, first byte, length, bundle offset. */
    private final ByteBuffer[] buffers;
    private final byte[][] arrays;
    private final int[] starts;
    private final int[] lengths;
    private final int[] offsets;
    private final int length;
    private final TransmitCallback callback;
    private volatile int done;

    /** Protocol state, owned by the session: transfer ID (TCPCLv4). */
    public long id;
    /** Protocol state: bytes written so far. */
    public long written;

    Transfer(AbstractLink link, ByteBuffer[] parts, TransmitCallback callback) {
        this.link = link;
        this.callback = callback;
        int n = parts.length;
        buffers = new ByteBuffer[n];
        arrays = new byte[n][];
        starts = new int[n];
        lengths = new int[n];
        offsets = new int[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            ByteBuffer p = parts[i];
            if (p.hasArray()) {
                arrays[i] = p.array();
                starts[i] = p.arrayOffset() + p.position();
            } else {
                buffers[i] = p;
                starts[i] = p.position();
            }
            lengths[i] = p.remaining();
            offsets[i] = at;
            at = Math.addExact(at, lengths[i]);
        }
        this.length = at;
    }

    public int length() {
        return length;
    }

    /** The link it was handed to. */
    public AbstractLink link() {
        return link;
    }

    /** The backing array of a bundle in one part, or null (a direct buffer, or several parts: use {@link #copy}). */
    public byte[] array() {
        return arrays.length == 1 ? arrays[0] : null;
    }

    /** Offset of the bundle's first byte in {@link #array()}. */
    public int arrayOffset() {
        return starts[0];
    }

    /** How many parts the bundle was given in. */
    public int parts() {
        return arrays.length;
    }

    /** The array of part {@code i}, or null if that part is a direct buffer. */
    public byte[] partArray(int i) {
        return arrays[i];
    }

    /** Where part {@code i} starts in its array (or its buffer). */
    public int partStart(int i) {
        return starts[i];
    }

    public int partLength(int i) {
        return lengths[i];
    }

    /** The offset of part {@code i}'s first byte in the bundle. */
    public int partOffset(int i) {
        return offsets[i];
    }

    /** Copies {@code len} bytes starting at bundle offset {@code from}. */
    public void copy(int from, byte[] dst, int dstOffset, int len) {
        for (int i = 0; i < arrays.length && len > 0; i++) {
            int in = from - offsets[i];
            if (in >= lengths[i]) {
                continue;
            }
            int n = Math.min(len, lengths[i] - in);
            if (arrays[i] != null) {
                System.arraycopy(arrays[i], starts[i] + in, dst, dstOffset, n);
            } else {
                buffers[i].get(starts[i] + in, dst, dstOffset, n);
            }
            from += n;
            dstOffset += n;
            len -= n;
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
