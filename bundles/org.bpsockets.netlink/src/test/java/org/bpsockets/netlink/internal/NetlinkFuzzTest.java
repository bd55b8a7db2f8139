package org.bpsockets.netlink.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;

import org.bpsockets.api.transport.OptionValue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer) for what the node decodes from the kernel: a received datagram
 * taken apart as NodeLink's receiving thread does (messages, acks with extended-ack text, REGISTER
 * replies, SOCKET_GET dump parts, and every kernel-to-node request). Under {@code mvn install} it runs
 * its committed inputs only ({@code src/test/resources/org/bpsockets/netlink/internal/NetlinkFuzzTestInputs/});
 * {@code tools/fuzz netlink} fuzzes it. A {@link ProtocolException} is a refusal and passes; any other
 * exception escaping is a finding.
 */
class NetlinkFuzzTest {
    static final int FAMILY = 0x1f;

    @FuzzTest
    void kernelDatagram(byte[] input) {
        ByteBuffer datagram = ByteBuffer.wrap(input);
        List<NlMessage> messages;
        try {
            messages = NlMessage.parseAll(datagram);
        } catch (ProtocolException e) {
            return;
        }
        assertEquals(0, datagram.position(), "parsing does not consume the receive buffer");
        for (NlMessage m : messages) {
            assertTrue(m.body.remaining() <= input.length);
            try {
                dispatch(m);
            } catch (ProtocolException e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    /** The decoding NodeLink.dispatch does, and what the waiting threads then read from kept copies. */
    private static void dispatch(NlMessage m) throws ProtocolException {
        if (m.isError()) {
            NlMessage copy = m.copy();
            copy.errno();
            copy.extackMessage();
            return;
        }
        if (m.isDone() || m.type != FAMILY) {
            return;
        }
        int command = m.command();
        if (command == BpGenl.CMD_REGISTER) {
            Attributes a = m.copy().attributes();
            a.u32(BpGenl.A_MAX_PAYLOAD);
            a.u32(BpGenl.A_PROTOCOL_VERSION);
            a.u32(BpGenl.A_FAMILY);
        } else if (command == BpGenl.CMD_SOCKET_GET) {
            Attributes a = m.copy().attributes();
            a.u64(BpGenl.A_SOCKET_ID);
            assertNotNull(EidCodec.read(a, BpGenl.A_EID));
            checkOptions(EidCodec.readOptions(a));
        } else {
            KernelRequest request = KernelRequest.decode(command, m.attributes());
            assertNotNull(request);
            if (request instanceof KernelRequest.Send send) {
                assertNotNull(send.source());
                assertNotNull(send.destination());
                assertTrue(send.payload().remaining() <= m.body.remaining());
                checkOptions(send.options());
            } else if (request instanceof KernelRequest.Bind bind) {
                assertNotNull(bind.endpoint());
                checkOptions(bind.options());
            } else if (request instanceof KernelRequest.SetOption set) {
                assertTrue(set.option().value().remaining() <= BpGenl.OPTION_VALUE_MAX);
            }
        }
    }

    private static void checkOptions(List<OptionValue> options) {
        for (OptionValue o : options) {
            assertTrue(o.value().remaining() <= BpGenl.OPTION_VALUE_MAX);
        }
    }
}
