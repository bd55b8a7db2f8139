package org.bpsockets.api.eid;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct sockaddr_bp} of the AF_BP socket API ({@code kmod/include/uapi/linux/bp.h}), for the
 * places where an address travels as bytes (the BP_REPORT_TO option, the Java binding). Host byte order.
 *
 * <p>Layout: family u16 at 0, bytes 2-3 ignored, scheme u32 at 4; ipn: node u32 at 8, service u32 at
 * 12, allocator u32 at 16 (read only if the address has 20 bytes or more); dtn: the URI text at 8, up to
 * the first NUL or the end of the address.
 */
public final class SockaddrBp {
    public static final int SCHEME_IPN = 1;
    public static final int SCHEME_DTN = 2;
    public static final int IPN_LENGTH = 16;
    public static final int IPN3_LENGTH = 20;
    public static final int DTN_OFFSET = 8;
    /** sizeof(struct sockaddr_bp). */
    public static final int MAX_LENGTH = 128;

    private SockaddrBp() {
    }

    /**
     * Reads an address.
     *
     * @throws EndpointIdSyntaxException if it is too short, of an unknown scheme, or not a valid EID
     */
    public static EndpointId decode(ByteBuffer address) {
        ByteBuffer a = address.duplicate().order(ByteOrder.nativeOrder());
        int length = a.remaining();
        int base = a.position();
        if (length < DTN_OFFSET) {
            throw new EndpointIdSyntaxException("sockaddr_bp of " + length + " bytes", "shorter than 8 bytes");
        }
        int scheme = a.getInt(base + 4);
        if (scheme == SCHEME_IPN) {
            if (length < IPN_LENGTH) {
                throw new EndpointIdSyntaxException("sockaddr_bp of " + length + " bytes",
                        "an ipn address needs at least 16 bytes");
            }
            long node = Integer.toUnsignedLong(a.getInt(base + 8));
            long service = Integer.toUnsignedLong(a.getInt(base + 12));
            long allocator = length >= IPN3_LENGTH ? Integer.toUnsignedLong(a.getInt(base + 16)) : 0;
            return IpnEndpointId.of(allocator, node, service);
        }
        if (scheme == SCHEME_DTN) {
            int end = base + DTN_OFFSET;
            while (end < base + length && a.get(end) != 0) {
                end++;
            }
            byte[] text = new byte[end - base - DTN_OFFSET];
            a.position(base + DTN_OFFSET);
            a.get(text);
            EndpointId eid = EndpointId.parse(new String(text, StandardCharsets.ISO_8859_1));
            if (!(eid instanceof DtnEndpointId)) {
                throw new EndpointIdSyntaxException(eid.toString(), "a dtn-scheme address holds a non-dtn EID");
            }
            return eid;
        }
        throw new EndpointIdSyntaxException("sockaddr_bp with scheme " + scheme,
                "unknown scheme: expected 1 (ipn) or 2 (dtn)");
    }

    /** Writes an address of the given family number (AF_BP is 28 unless the module chose another). */
    public static ByteBuffer encode(EndpointId eid, int family) {
        ByteBuffer b;
        if (eid instanceof IpnEndpointId ipn) {
            b = ByteBuffer.allocate(ipn.allocator() != 0 ? IPN3_LENGTH : IPN_LENGTH).order(ByteOrder.nativeOrder());
            b.putShort(0, (short) family).putInt(4, SCHEME_IPN).putInt(8, (int) ipn.node())
                    .putInt(12, (int) ipn.service());
            if (ipn.allocator() != 0) {
                b.putInt(16, (int) ipn.allocator());
            }
        } else {
            byte[] text = eid.toString().getBytes(StandardCharsets.US_ASCII);
            if (DTN_OFFSET + text.length + 1 > MAX_LENGTH) {
                throw new EndpointIdSyntaxException(eid.toString(), "longer than the 119 bytes a sockaddr_bp holds");
            }
            b = ByteBuffer.allocate(DTN_OFFSET + text.length + 1).order(ByteOrder.nativeOrder());
            b.putShort(0, (short) family).putInt(4, SCHEME_DTN).position(DTN_OFFSET);
            b.put(text).put((byte) 0).position(0);
        }
        return b;
    }
}
