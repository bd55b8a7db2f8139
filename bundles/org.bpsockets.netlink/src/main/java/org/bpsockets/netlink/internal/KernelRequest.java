package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.transport.OptionValue;

/**
 * A message from the kernel, decoded on the receiving thread (so nothing refers to the receive buffer
 * afterwards) and handled in order on the request thread.
 */
sealed interface KernelRequest {

    /** The cookie to answer with, or -1 for notifications. */
    long cookie();

    record Bind(long cookie, long socketId, EndpointId endpoint, List<OptionValue> options) implements KernelRequest {
    }

    record Release(long socketId) implements KernelRequest {
        @Override
        public long cookie() {
            return -1;
        }
    }

    record Send(long cookie, long socketId, long sendId, EndpointId source, EndpointId destination,
            List<OptionValue> options, ByteBuffer payload) implements KernelRequest {
    }

    record SetOption(long cookie, long socketId, OptionValue option) implements KernelRequest {
    }

    record GetOption(long cookie, long socketId, int name) implements KernelRequest {
    }

    /** {@code generation}: the socket's RX_GEN, for the DELIVERs that follow (0 from a module that sends none). */
    record Drained(long socketId, int generation) implements KernelRequest {
        @Override
        public long cookie() {
            return -1;
        }
    }

    /** Decodes a kernel-to-node message. */
    static KernelRequest decode(int command, Attributes a) throws ProtocolException {
        switch (command) {
            case BpGenl.CMD_BIND:
                return new Bind(a.u64(BpGenl.A_COOKIE), a.u64(BpGenl.A_SOCKET_ID), EidCodec.read(a, BpGenl.A_EID),
                        EidCodec.readOptions(a));
            case BpGenl.CMD_RELEASE:
                return new Release(a.u64(BpGenl.A_SOCKET_ID));
            case BpGenl.CMD_SEND:
                return new Send(a.u64(BpGenl.A_COOKIE), a.u64(BpGenl.A_SOCKET_ID),
                        Integer.toUnsignedLong(a.u32(BpGenl.A_SEND_ID, 0)), EidCodec.read(a, BpGenl.A_SRC_EID),
                        EidCodec.read(a, BpGenl.A_DST_EID), EidCodec.readOptions(a), payload(a));
            case BpGenl.CMD_SETOPT:
                return new SetOption(a.u64(BpGenl.A_COOKIE), a.u64(BpGenl.A_SOCKET_ID),
                        EidCodec.readOption(a.nested(BpGenl.A_OPTION)));
            case BpGenl.CMD_GETOPT:
                return new GetOption(a.u64(BpGenl.A_COOKIE), a.u64(BpGenl.A_SOCKET_ID),
                        a.nested(BpGenl.A_OPTION).u32(BpGenl.OPT_A_NAME));
            case BpGenl.CMD_DRAINED:
                return new Drained(a.u64(BpGenl.A_SOCKET_ID), a.u32(BpGenl.A_RX_GEN, 0));
            default:
                throw new ProtocolException("unexpected command " + command + " from the kernel");
        }
    }

    /** The ADU: the PAYLOAD attributes concatenated, copied out of the receive buffer. */
    private static ByteBuffer payload(Attributes a) {
        List<ByteBuffer> chunks = a.all(BpGenl.A_PAYLOAD);
        int total = 0;
        for (ByteBuffer c : chunks) {
            total += c.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(total);
        for (ByteBuffer c : chunks) {
            out.put(c);
        }
        return out.flip();
    }
}
