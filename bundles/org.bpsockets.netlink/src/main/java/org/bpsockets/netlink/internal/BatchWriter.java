package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends the node's messages to the kernel, several per send() when several are waiting: whoever
 * submits while nobody is writing becomes the writer and sends everything queued, so under load one
 * system call carries many messages, and an idle link adds no thread hand-off.
 *
 * <p>Acknowledgements are coalesced: a message submitted with {@code coalesce} (a DELIVER) is sent
 * without NLM_F_ACK, except the last such message of a batch. The kernel handles the messages of one
 * send in order and acknowledges every failure, so when the last one's acknowledgement arrives, every
 * earlier one of its batch without an error acknowledgement has succeeded.
 */
final class BatchWriter {

    /** A message to send; {@code ack} (may be null) completes with the kernel's acknowledgement. */
    record Outgoing(ByteBuffer message, int seq, CompletableFuture<NlMessage> ack, boolean coalesce) {
    }

    private final NetlinkSocket socket;
    private final Map<Integer, CompletableFuture<NlMessage>> acks;
    /** For the last coalesced message of each batch: the earlier ones it vouches for. */
    private final Map<Integer, int[]> vouches;
    private final int maxBatch;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private ByteBuffer batch;

    BatchWriter(NetlinkSocket socket, Map<Integer, CompletableFuture<NlMessage>> acks, Map<Integer, int[]> vouches,
            int maxBatch) {
        this.socket = socket;
        this.acks = acks;
        this.vouches = vouches;
        this.maxBatch = maxBatch;
        this.batch = ByteBuffer.allocateDirect(Math.min(maxBatch, 256 << 10)).order(ByteOrder.nativeOrder());
    }

    /** Queues a message (copied now) and sends what is queued unless another thread is sending. */
    void submit(ByteBuffer message, int seq, CompletableFuture<NlMessage> ack, boolean coalesce) {
        ByteBuffer copy = ByteBuffer.allocate(message.remaining()).order(ByteOrder.nativeOrder());
        copy.put(message.duplicate()).flip();
        if (ack != null) {
            acks.put(seq, ack);
        }
        queue.add(new Outgoing(copy, seq, ack, coalesce));
        flush();
    }

    private void flush() {
        while (writing.compareAndSet(false, true)) {
            try {
                writeQueued();
            } finally {
                writing.set(false);
            }
            if (queue.isEmpty()) {
                return;
            }
        }
    }

    private void writeQueued() {
        while (!queue.isEmpty()) {
            List<Outgoing> sent = new ArrayList<>();
            batch.clear();
            int lastCoalesced = -1;
            Outgoing o;
            while ((o = queue.peek()) != null) {
                int size = o.message().remaining();
                if (batch.position() > 0 && (batch.position() + size > maxBatch || batch.remaining() < size)) {
                    break;
                }
                if (batch.remaining() < size) {
                    batch = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
                }
                queue.poll();
                if (o.coalesce()) {
                    lastCoalesced = sent.size();
                }
                sent.add(o);
                batch.put(o.message().duplicate());
            }
            List<Integer> vouched = new ArrayList<>();
            int offset = 0;
            for (int i = 0; i < sent.size(); i++) {
                Outgoing m = sent.get(i);
                if (m.coalesce()) {
                    int flags = Short.toUnsignedInt(batch.getShort(offset + 6));
                    if (i == lastCoalesced) {
                        batch.putShort(offset + 6, (short) (flags | Netlink.NLM_F_ACK));
                    } else {
                        batch.putShort(offset + 6, (short) (flags & ~Netlink.NLM_F_ACK));
                        vouched.add(m.seq());
                    }
                }
                offset += m.message().remaining();
            }
            if (lastCoalesced >= 0 && !vouched.isEmpty()) {
                vouches.put(sent.get(lastCoalesced).seq(), vouched.stream().mapToInt(Integer::intValue).toArray());
            }
            batch.flip();
            try {
                socket.send(batch);
            } catch (NetlinkException e) {
                for (Outgoing m : sent) {
                    if (m.ack() != null) {
                        acks.remove(m.seq());
                        m.ack().completeExceptionally(e);
                    }
                }
                if (lastCoalesced >= 0) {
                    vouches.remove(sent.get(lastCoalesced).seq());
                }
            }
        }
    }
}
