package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The attributes of a message or a nested attribute, as read-only slices; lengths checked on parse. */
final class Attributes {
    private final List<Integer> types = new ArrayList<>();
    private final List<ByteBuffer> values = new ArrayList<>();

    static Attributes parse(ByteBuffer region) throws ProtocolException {
        Attributes attrs = new Attributes();
        ByteBuffer b = region.duplicate().order(ByteOrder.nativeOrder());
        while (b.remaining() >= Netlink.NLA_HDRLEN) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort(start));
            int type = Short.toUnsignedInt(b.getShort(start + 2)) & Netlink.NLA_TYPE_MASK;
            if (len < Netlink.NLA_HDRLEN || len > b.remaining()) {
                throw new ProtocolException("attribute " + type + " has length " + len + " with " + b.remaining()
                        + " bytes left");
            }
            ByteBuffer value = b.duplicate().order(ByteOrder.nativeOrder());
            value.position(start + Netlink.NLA_HDRLEN).limit(start + len);
            attrs.types.add(type);
            attrs.values.add(value.slice().order(ByteOrder.nativeOrder()).asReadOnlyBuffer()
                    .order(ByteOrder.nativeOrder()));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        return attrs;
    }

    boolean has(int type) {
        return types.contains(type);
    }

    /** The last attribute of a type (as the kernel's parser keeps it), or null. */
    ByteBuffer get(int type) {
        for (int i = types.size() - 1; i >= 0; i--) {
            if (types.get(i) == type) {
                return values.get(i).duplicate().order(ByteOrder.nativeOrder());
            }
        }
        return null;
    }

    /** Every attribute of a type, in order. */
    List<ByteBuffer> all(int type) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == type) {
                out.add(values.get(i).duplicate().order(ByteOrder.nativeOrder()));
            }
        }
        return out;
    }

    ByteBuffer require(int type) throws ProtocolException {
        ByteBuffer v = get(type);
        if (v == null) {
            throw new ProtocolException("attribute " + type + " is missing");
        }
        return v;
    }

    int u8(int type) throws ProtocolException {
        return Byte.toUnsignedInt(exact(type, 1).get(0));
    }

    int u16(int type) throws ProtocolException {
        return Short.toUnsignedInt(exact(type, 2).getShort(0));
    }

    int u32(int type) throws ProtocolException {
        return exact(type, 4).getInt(0);
    }

    long u64(int type) throws ProtocolException {
        return exact(type, 8).getLong(0);
    }

    long u64(int type, long absent) throws ProtocolException {
        return has(type) ? u64(type) : absent;
    }

    int u32(int type, int absent) throws ProtocolException {
        return has(type) ? u32(type) : absent;
    }

    /** A NUL-terminated string; the NUL must be present. */
    String string(int type) throws ProtocolException {
        ByteBuffer v = require(type);
        int n = v.remaining();
        for (int i = 0; i < n; i++) {
            if (v.get(i) == 0) {
                byte[] bytes = new byte[i];
                v.get(bytes);
                return new String(bytes, StandardCharsets.US_ASCII);
            }
        }
        throw new ProtocolException("string attribute " + type + " is not NUL-terminated");
    }

    Attributes nested(int type) throws ProtocolException {
        return parse(require(type));
    }

    private ByteBuffer exact(int type, int size) throws ProtocolException {
        ByteBuffer v = require(type);
        if (v.remaining() != size) {
            throw new ProtocolException("attribute " + type + " has " + v.remaining() + " bytes, expected " + size);
        }
        return v;
    }
}
