package org.bpsockets.netlink.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.bpsockets.api.BpError;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.transport.OptionValue;
import org.junit.jupiter.api.Test;

class CodecTest {

    static final int FAMILY = 0x1f;

    @Test
    void headerAndAttributesHaveTheKernelsLayout() throws Exception {
        MessageWriter w = new MessageWriter(64);
        w.begin(FAMILY, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 7, BpGenl.CMD_REGISTER, 1)
                .u32(BpGenl.A_PROTOCOL_VERSION, 1).u8(BpGenl.A_READY, 1).end();
        ByteBuffer b = w.finish().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(16 + 4 + 8 + 8, b.remaining());
        assertEquals(36, b.getInt(0), "nlmsg_len");
        assertEquals(FAMILY, b.getShort(4));
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, b.getShort(6));
        assertEquals(7, b.getInt(8));
        assertEquals(BpGenl.CMD_REGISTER, b.get(16));
        assertEquals(1, b.get(17), "genl version");
        assertEquals(8, b.getShort(20), "nla_len of a u32");
        assertEquals(BpGenl.A_PROTOCOL_VERSION, b.getShort(22));
        assertEquals(5, b.getShort(28), "nla_len of a u8 excludes the padding");
        assertEquals(0, b.get(33) | b.get(34) | b.get(35), "padding is zero");
    }

    @Test
    void nestedAttributesCarryTheNestedFlag() throws Exception {
        MessageWriter w = new MessageWriter(64);
        w.begin(FAMILY, 0, 1, BpGenl.CMD_DELIVER, 1);
        EidCodec.write(w, BpGenl.A_SRC_EID, EndpointId.parse("ipn:5.6"));
        w.end();
        ByteBuffer b = w.finish().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(BpGenl.A_SRC_EID | Netlink.NLA_F_NESTED, Short.toUnsignedInt(b.getShort(22)));
    }

    @Test
    void endpointIdsRoundTrip() throws Exception {
        for (String text : List.of("ipn:1.2", "ipn:977000.1.3", "ipn:!.9", "ipn:4294967295.4294967294.4294967295",
                "dtn://node/app/x", "dtn://n/")) {
            EndpointId eid = EndpointId.parse(text);
            MessageWriter w = new MessageWriter(16);
            w.begin(FAMILY, 0, 1, BpGenl.CMD_BIND, 1);
            EidCodec.write(w, BpGenl.A_EID, eid);
            w.end();
            NlMessage m = NlMessage.parseAll(w.finish()).get(0);
            assertEquals(eid, EidCodec.read(m.attributes(), BpGenl.A_EID), text);
        }
    }

    @Test
    void malformedEidsFromTheKernelAreRejected() throws Exception {
        assertThrows(ProtocolException.class, () -> readEid(w -> w.u32(BpGenl.EID_A_SCHEME, 9)));
        assertThrows(ProtocolException.class, () -> readEid(w -> w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_IPN)
                .u32(BpGenl.EID_A_IPN_NODE, 1)));
        assertThrows(ProtocolException.class, () -> readEid(w -> w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_DTN)
                .string(BpGenl.EID_A_DTN, "ipn:1.1")));
        assertThrows(ProtocolException.class, () -> readEid(w -> w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_DTN)
                .string(BpGenl.EID_A_DTN, "dtn://a b/")));
        assertThrows(ProtocolException.class, () -> readEid(w -> w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_IPN)
                .u32(BpGenl.EID_A_IPN_NODE, 0).u32(BpGenl.EID_A_IPN_SERVICE, 5)));
    }

    interface Body {
        void write(MessageWriter w);
    }

    private static EndpointId readEid(Body body) throws ProtocolException {
        MessageWriter w = new MessageWriter(16);
        w.begin(FAMILY, 0, 1, BpGenl.CMD_BIND, 1).nestStart(BpGenl.A_EID);
        body.write(w);
        w.nestEnd().end();
        return EidCodec.read(NlMessage.parseAll(w.finish()).get(0).attributes(), BpGenl.A_EID);
    }

    @Test
    void aSendSplitOverManyPayloadAttributesIsReassembledInOrder() throws Exception {
        byte[] payload = new byte[3 * BpGenl.PAYLOAD_CHUNK + 1234];
        new Random(42).nextBytes(payload);
        MessageWriter w = new MessageWriter(128);
        w.begin(FAMILY, 0, 3, BpGenl.CMD_SEND, 1).u64(BpGenl.A_COOKIE, 99).u64(BpGenl.A_SOCKET_ID, 5)
                .u32(BpGenl.A_SEND_ID, 17);
        EidCodec.write(w, BpGenl.A_SRC_EID, EndpointId.parse("ipn:1.1"));
        EidCodec.write(w, BpGenl.A_DST_EID, EndpointId.parse("dtn://far/x"));
        w.nestStart(BpGenl.A_OPTIONS);
        EidCodec.writeOption(w, BpGenl.A_OPTION, OptionValue.of(1, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}));
        EidCodec.writeOption(w, BpGenl.A_OPTION, OptionValue.of(7, new byte[] {9, 0, 0, 0}));
        w.nestEnd();
        ByteBuffer rest = ByteBuffer.wrap(payload);
        while (rest.hasRemaining()) {
            ByteBuffer chunk = rest.duplicate();
            chunk.limit(chunk.position() + Math.min(rest.remaining(), BpGenl.PAYLOAD_CHUNK));
            w.bytes(BpGenl.A_PAYLOAD, chunk);
            rest.position(chunk.limit());
        }
        w.end();
        NlMessage m = NlMessage.parseAll(w.finish()).get(0);
        KernelRequest.Send send = (KernelRequest.Send) KernelRequest.decode(m.command(), m.attributes());
        assertEquals(99, send.cookie());
        assertEquals(5, send.socketId());
        assertEquals(17, send.sendId());
        assertEquals(EndpointId.parse("dtn://far/x"), send.destination());
        assertEquals(List.of(1, 7), send.options().stream().map(OptionValue::name).toList());
        byte[] got = new byte[send.payload().remaining()];
        send.payload().get(got);
        assertArrayEquals(payload, got);
    }

    @Test
    void anEmptyPayloadIsAnEmptySend() throws Exception {
        MessageWriter w = new MessageWriter(128);
        w.begin(FAMILY, 0, 3, BpGenl.CMD_SEND, 1).u64(BpGenl.A_COOKIE, 1).u64(BpGenl.A_SOCKET_ID, 5);
        EidCodec.write(w, BpGenl.A_SRC_EID, EndpointId.parse("ipn:1.1"));
        EidCodec.write(w, BpGenl.A_DST_EID, EndpointId.parse("ipn:2.1"));
        w.end();
        NlMessage m = NlMessage.parseAll(w.finish()).get(0);
        KernelRequest.Send send = (KernelRequest.Send) KernelRequest.decode(m.command(), m.attributes());
        assertEquals(0, send.payload().remaining());
    }

    @Test
    void requestsWithoutTheirRequiredAttributesAreRejected() throws Exception {
        MessageWriter w = new MessageWriter(64);
        w.begin(FAMILY, 0, 3, BpGenl.CMD_SEND, 1).u64(BpGenl.A_SOCKET_ID, 5).end();
        NlMessage m = NlMessage.parseAll(w.finish()).get(0);
        ProtocolException e = assertThrows(ProtocolException.class, () -> KernelRequest.decode(m.command(),
                m.attributes()));
        assertTrue(e.getMessage().contains("attribute " + BpGenl.A_COOKIE + " is missing"), e.getMessage());
        assertThrows(ProtocolException.class, () -> KernelRequest.decode(BpGenl.CMD_REPLY, m.attributes()));
    }

    @Test
    void truncatedOrLyingLengthsAreRejected() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        b.putInt(0, 40);
        assertThrows(ProtocolException.class, () -> NlMessage.parseAll(b), "message longer than the datagram");
        b.putInt(0, 24).putShort(20, (short) 2);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> NlMessage.parseAll(b).get(0).attributes(), "attribute shorter than its header");
        assertTrue(e.getMessage().contains("length 2"), e.getMessage());
        b.putShort(20, (short) 12);
        assertThrows(ProtocolException.class, () -> NlMessage.parseAll(b).get(0).attributes(),
                "attribute longer than the message");
    }

    @Test
    void wrongSizedIntegersAndUnterminatedStringsAreRejected() throws Exception {
        MessageWriter w = new MessageWriter(64);
        w.begin(FAMILY, 0, 1, BpGenl.CMD_REPLY, 1).u32(BpGenl.A_COOKIE, 5)
                .bytes(BpGenl.A_ERRNO, ByteBuffer.wrap("abc".getBytes())).end();
        Attributes a = NlMessage.parseAll(w.finish()).get(0).attributes();
        assertThrows(ProtocolException.class, () -> a.u64(BpGenl.A_COOKIE));
        assertThrows(ProtocolException.class, () -> a.string(BpGenl.A_ERRNO));
    }

    @Test
    void aCopiedMessageSurvivesTheReuseOfTheReceiveBuffer() throws Exception {
        MessageWriter w = new MessageWriter(64);
        w.begin(FAMILY, 0, 9, BpGenl.CMD_REGISTER, 1).u32(BpGenl.A_MAX_PAYLOAD, 1 << 20).end();
        ByteBuffer shared = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        shared.put(w.finish()).flip();
        NlMessage kept = NlMessage.parseAll(shared).get(0).copy();
        NlMessage view = NlMessage.parseAll(shared).get(0);
        for (int i = 0; i < shared.limit(); i++) {
            shared.put(i, (byte) 0);
        }
        assertEquals(1 << 20, kept.attributes().u32(BpGenl.A_MAX_PAYLOAD));
        assertEquals(9, kept.seq);
        assertThrows(ProtocolException.class, () -> view.attributes().u32(BpGenl.A_MAX_PAYLOAD),
                "a view sees the overwritten bytes: this is why received messages are copied");
    }

    @Test
    void errorsAndExtendedAcksAreRead() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        b.putInt(0, 48).putShort(4, (short) Netlink.NLMSG_ERROR)
                .putShort(6, (short) (Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS)).putInt(8, 3);
        b.putInt(16, -Errno.EINVAL);
        b.putInt(20, 36);
        b.putShort(36, (short) 12).putShort(38, (short) Netlink.NLMSGERR_ATTR_MSG);
        b.put(40, "bad\0".getBytes());
        b.limit(48);
        NlMessage m = NlMessage.parseAll(b).get(0);
        assertTrue(m.isError());
        assertEquals(Errno.EINVAL, m.errno());
        assertEquals("bad", m.extackMessage());
    }

    @Test
    void everyErrorHasAnErrnoAndOnlyBackendFailureIsGeneric() {
        Set<Integer> seen = new HashSet<>();
        for (BpError e : EnumSet.allOf(BpError.class)) {
            int errno = Errno.of(e);
            assertTrue(errno > 0);
            assertTrue(seen.add(errno), e + " has its own errno");
        }
        assertEquals(Errno.EIO, Errno.of(BpError.BACKEND_FAILURE));
        assertEquals(Errno.ENETUNREACH, Errno.of(BpError.NO_BACKEND));
    }
}
