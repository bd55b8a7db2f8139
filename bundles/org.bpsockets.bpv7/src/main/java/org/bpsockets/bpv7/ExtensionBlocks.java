package org.bpsockets.bpv7;

import java.nio.ByteBuffer;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * Data codecs of the RFC 9171 extension blocks: Previous Node (type 6, the forwarder's node ID as an
 * encoded EID), Bundle Age (type 7, milliseconds as a uint), Hop Count (type 10, {@code [limit, count]}) and
 * ION's Quality of Service (type 193, {@link QualityOfService}).
 * Decoders accept non-shortest integers; every problem is reported as
 * {@link MalformedBundleException.Reason#BAD_BLOCK_DATA}.
 */
public final class ExtensionBlocks {
    private ExtensionBlocks() {
    }

    public static byte[] encodePreviousNode(EndpointId nodeId) {
        CborWriter w = new CborWriter(24);
        Eids.write(w, nodeId);
        return w.toByteArray();
    }

    public static byte[] encodeBundleAge(long ageMillis) {
        if (ageMillis < 0) {
            throw new IllegalArgumentException("negative bundle age");
        }
        return new CborWriter(9).uint(ageMillis).toByteArray();
    }

    public static byte[] encodeHopCount(HopCount hopCount) {
        return new CborWriter(12).array(2).uint(hopCount.limit()).uint(hopCount.count()).toByteArray();
    }

    public static byte[] encodeQualityOfService(QualityOfService qos) {
        return new CborWriter(32).array(4).uint(qos.flags()).uint(qos.classOfService()).uint(qos.ordinal())
                .uint(qos.dataLabel()).toByteArray();
    }

    public static QualityOfService decodeQualityOfService(ByteBuffer data) throws MalformedBundleException {
        CborReader r = new CborReader(array(data), offset(data), offset(data) + data.remaining());
        try {
            r.readArray("the quality of service", 4);
            long flags = r.readUint("the QoS flags");
            int cos = (int) r.readUint("the class of service", 2);
            int ordinal = (int) r.readUint("the ordinal", 254);
            long label = r.readUint("the data label");
            end(r);
            return new QualityOfService(flags, cos, ordinal, label);
        } catch (MalformedBundleException e) {
            throw bad("Quality of Service", e);
        }
    }

    public static EndpointId decodePreviousNode(ByteBuffer data) throws MalformedBundleException {
        byte[] b = array(data);
        return decodePreviousNode(b, offset(data), data.remaining(), DecodeLimits.DEFAULT.maxEidLength());
    }

    public static long decodeBundleAge(ByteBuffer data) throws MalformedBundleException {
        return decodeBundleAge(array(data), offset(data), data.remaining());
    }

    public static HopCount decodeHopCount(ByteBuffer data) throws MalformedBundleException {
        return decodeHopCount(array(data), offset(data), data.remaining());
    }

    private static byte[] array(ByteBuffer data) {
        if (data.hasArray()) {
            return data.array();
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return copy;
    }

    private static int offset(ByteBuffer data) {
        return data.hasArray() ? data.arrayOffset() + data.position() : 0;
    }

    static EndpointId decodePreviousNode(byte[] b, int off, int len, int maxEidLength) throws MalformedBundleException {
        CborReader r = new CborReader(b, off, off + len);
        try {
            EndpointId eid = Eids.read(r, "the previous node ID", maxEidLength);
            end(r);
            return eid;
        } catch (MalformedBundleException e) {
            throw bad("Previous Node", e);
        }
    }

    static long decodeBundleAge(byte[] b, int off, int len) throws MalformedBundleException {
        CborReader r = new CborReader(b, off, off + len);
        try {
            long age = r.readUint("the bundle age", Long.MAX_VALUE);
            end(r);
            return age;
        } catch (MalformedBundleException e) {
            throw bad("Bundle Age", e);
        }
    }

    static HopCount decodeHopCount(byte[] b, int off, int len) throws MalformedBundleException {
        CborReader r = new CborReader(b, off, off + len);
        try {
            r.readArray("the hop count", 2);
            int at = r.pos;
            long limit = r.readUint("the hop limit", 255);
            if (limit < 1) {
                throw r.errorAt(at, Reason.VALUE_OUT_OF_RANGE, "the hop limit must be 1..255, is 0");
            }
            long count = r.readUint("the hop count", Long.MAX_VALUE);
            end(r);
            return new HopCount((int) limit, count);
        } catch (MalformedBundleException e) {
            throw bad("Hop Count", e);
        }
    }

    /** True if the security targets of a BPSec block (RFC 9172 §3.6, its first item) include this block number. */
    static boolean securityTargetsInclude(byte[] b, int off, int len, long number) throws MalformedBundleException {
        CborReader r = new CborReader(b, off, off + len);
        try {
            long n = r.readArray("the security targets");
            boolean found = false;
            for (long i = 0; n == -1 ? !r.atBreak() : i < n; i++) {
                found |= r.readUint("a security target") == number;
            }
            return found;
        } catch (MalformedBundleException e) {
            throw bad("Block Integrity", e);
        }
    }

    private static void end(CborReader r) throws MalformedBundleException {
        if (r.remaining() != 0) {
            throw r.error(Reason.TRAILING_BYTES, r.remaining() + " bytes after the data item");
        }
    }

    private static MalformedBundleException bad(String block, MalformedBundleException e) {
        return new MalformedBundleException(Reason.BAD_BLOCK_DATA, -1, block + " block: " + e.getMessage());
    }
}
