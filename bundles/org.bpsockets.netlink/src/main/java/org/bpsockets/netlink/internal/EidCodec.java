package org.bpsockets.netlink.internal;

import java.util.ArrayList;
import java.util.List;

import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.transport.OptionValue;

/** EIDs and options as nested attributes (docs/netlink-protocol.md, "Nested attributes"). */
final class EidCodec {
    private EidCodec() {
    }

    static void write(MessageWriter w, int type, EndpointId eid) {
        w.nestStart(type);
        if (eid instanceof IpnEndpointId ipn) {
            w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_IPN);
            if (ipn.allocator() != 0) {
                w.u32(BpGenl.EID_A_IPN_ALLOCATOR, (int) ipn.allocator());
            }
            w.u32(BpGenl.EID_A_IPN_NODE, (int) ipn.node());
            w.u32(BpGenl.EID_A_IPN_SERVICE, (int) ipn.service());
        } else {
            w.u32(BpGenl.EID_A_SCHEME, BpGenl.SCHEME_DTN);
            w.string(BpGenl.EID_A_DTN, eid.toString());
        }
        w.nestEnd();
    }

    static EndpointId read(Attributes parent, int type) throws ProtocolException {
        Attributes a = parent.nested(type);
        int scheme = a.u32(BpGenl.EID_A_SCHEME);
        try {
            switch (scheme) {
                case BpGenl.SCHEME_IPN:
                    return IpnEndpointId.of(Integer.toUnsignedLong(a.u32(BpGenl.EID_A_IPN_ALLOCATOR, 0)),
                            Integer.toUnsignedLong(a.u32(BpGenl.EID_A_IPN_NODE)),
                            Integer.toUnsignedLong(a.u32(BpGenl.EID_A_IPN_SERVICE)));
                case BpGenl.SCHEME_DTN:
                    EndpointId eid = EndpointId.parse(a.string(BpGenl.EID_A_DTN));
                    if (!(eid instanceof DtnEndpointId)) {
                        throw new ProtocolException("dtn scheme with a non-dtn EID " + eid);
                    }
                    return eid;
                default:
                    throw new ProtocolException("unknown EID scheme " + scheme);
            }
        } catch (EndpointIdSyntaxException e) {
            throw new ProtocolException("invalid EID from the kernel: " + e.getMessage());
        }
    }

    static void writeOption(MessageWriter w, int type, OptionValue option) {
        w.nestStart(type);
        w.u32(BpGenl.OPT_A_NAME, option.name());
        w.bytes(BpGenl.OPT_A_VALUE, option.value());
        w.nestEnd();
    }

    static OptionValue readOption(Attributes option) throws ProtocolException {
        int name = option.u32(BpGenl.OPT_A_NAME);
        var value = option.get(BpGenl.OPT_A_VALUE);
        if (value == null) {
            value = java.nio.ByteBuffer.allocate(0);
        }
        if (value.remaining() > BpGenl.OPTION_VALUE_MAX) {
            throw new ProtocolException("option " + name + " value of " + value.remaining() + " bytes");
        }
        byte[] copy = new byte[value.remaining()];
        value.get(copy);
        return OptionValue.of(name, copy);
    }

    /** The options of an OPTIONS attribute, in order; empty if absent. */
    static List<OptionValue> readOptions(Attributes parent) throws ProtocolException {
        List<OptionValue> out = new ArrayList<>();
        if (!parent.has(BpGenl.A_OPTIONS)) {
            return out;
        }
        for (var raw : parent.nested(BpGenl.A_OPTIONS).all(BpGenl.A_OPTION)) {
            out.add(readOption(Attributes.parse(raw)));
        }
        return out;
    }
}
