package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Writes Generic Netlink messages (nlmsghdr, genlmsghdr, attributes) in host byte order into a
 * growable buffer; several messages may follow each other in one buffer and go out in one send.
 */
final class MessageWriter {
    private ByteBuffer buf;
    private int messageStart = -1;
    private final ArrayDeque<Integer> nests = new ArrayDeque<>();

    MessageWriter(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a new message after any already written. */
    MessageWriter begin(int familyId, int flags, int seq, int cmd, int version) {
        if (messageStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ensure(Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN);
        messageStart = buf.position();
        buf.putInt(0).putShort((short) familyId).putShort((short) flags).putInt(seq).putInt(0);
        buf.put((byte) cmd).put((byte) version).putShort((short) 0);
        return this;
    }

    MessageWriter end() {
        buf.putInt(messageStart, buf.position() - messageStart);
        messageStart = -1;
        return this;
    }

    MessageWriter u8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        return pad();
    }

    MessageWriter u16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        return pad();
    }

    MessageWriter u32(int type, int value) {
        header(type, 4);
        buf.putInt(value);
        return this;
    }

    MessageWriter u64(int type, long value) {
        header(type, 8);
        buf.putLong(value);
        return this;
    }

    /** A NUL-terminated string. */
    MessageWriter string(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        header(type, bytes.length + 1);
        buf.put(bytes).put((byte) 0);
        return pad();
    }

    MessageWriter bytes(int type, ByteBuffer value) {
        header(type, value.remaining());
        buf.put(value.duplicate());
        return pad();
    }

    MessageWriter nestStart(int type) {
        ensure(Netlink.NLA_HDRLEN);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) (type | Netlink.NLA_F_NESTED));
        return this;
    }

    MessageWriter nestEnd() {
        int start = nests.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** The messages written so far, ready to send (position 0, limit at the end). */
    ByteBuffer finish() {
        if (messageStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.flip();
        return out;
    }

    /** Forgets everything written, keeping the buffer. */
    MessageWriter reset() {
        buf.clear();
        messageStart = -1;
        nests.clear();
        return this;
    }

    int size() {
        return buf.position();
    }

    private void header(int type, int length) {
        int total = Netlink.NLA_HDRLEN + length;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("attribute " + type + " of " + length + " bytes exceeds 65535");
        }
        ensure(Netlink.align(total));
        buf.putShort((short) total).putShort((short) type);
    }

    private MessageWriter pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) {
            return;
        }
        int capacity = Math.max(buf.capacity() * 2, buf.position() + more + 4096);
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }
}
