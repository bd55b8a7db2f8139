package org.bpsockets.bpv7;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * A valid BPv7 bundle: the primary block and the canonical blocks, payload block last. Instances come
 * from {@link BundleCodec#decode(byte[])}, {@link BundleBuilder}, {@link BundleEditor} and
 * {@link Fragmentation}, all of which enforce the same rules, and are immutable.
 *
 * <p>{@link #encode()} emits an indefinite-length array ({@code 9f ... ff}) holding each block's
 * encoding as it was received or built.
 */
public final class Bundle {
    private final PrimaryBlock primary;
    private final List<CanonicalBlock> blocks;
    private final EndpointId previousNode;
    private final long bundleAge;
    private final HopCount hopCount;
    private final int renumberedBlocks;

    private Bundle(PrimaryBlock primary, List<CanonicalBlock> blocks, EndpointId previousNode, long bundleAge,
            HopCount hopCount, int renumberedBlocks) {
        this.renumberedBlocks = renumberedBlocks;
        this.primary = primary;
        this.blocks = blocks;
        this.previousNode = previousNode;
        this.bundleAge = bundleAge;
        this.hopCount = hopCount;
    }

    /** A new bundle from fields. */
    public static BundleBuilder builder() {
        return new BundleBuilder();
    }

    /** Checks the RFC 9171 rules that span blocks, and decodes the known extension blocks. */
    static Bundle validated(PrimaryBlock p, List<CanonicalBlock> list, int maxEidLength)
            throws MalformedBundleException {
        return validated(p, list, maxEidLength, 0);
    }

    static Bundle validated(PrimaryBlock p, List<CanonicalBlock> list, int maxEidLength, int renumbered)
            throws MalformedBundleException {
        boolean anonymous = p.source().isNull();
        long f = p.flags();
        if (p.isAdminRecord() && (f & BundleFlags.REPORT_MASK) != 0) {
            throw invalid(Reason.INCONSISTENT_FLAGS, "an administrative record must not request status reports");
        }
        if (anonymous && (f & BundleFlags.REPORT_MASK) != 0) {
            throw invalid(Reason.INCONSISTENT_FLAGS, "a bundle with a null source must not request status reports");
        }
        if (anonymous && !p.mustNotFragment()) {
            throw invalid(Reason.INCONSISTENT_FLAGS, "a bundle with a null source must have the must-not-fragment flag");
        }
        EndpointId previousNode = null;
        long age = -1;
        HopCount hops = null;
        CanonicalBlock payload = null;
        int n = list.size();
        for (int i = 0; i < n; i++) {
            CanonicalBlock b = list.get(i);
            long num = b.number();
            if (b.isPayload()) {
                if (payload != null) {
                    throw invalid(Reason.DUPLICATE_PAYLOAD, "a second payload block, number " + num);
                }
                if (num != 1) {
                    throw invalid(Reason.BAD_BLOCK_NUMBER, "the payload block has number " + num + ", not 1");
                }
                payload = b;
            } else {
                if (payload != null) {
                    throw invalid(Reason.PAYLOAD_NOT_LAST, "block " + num + " (type " + b.type() + ") follows the payload block");
                }
                if (num == 0 || num == 1) {
                    throw invalid(Reason.BAD_BLOCK_NUMBER, "block type " + b.type() + " has number " + num
                            + ", reserved for the " + (num == 0 ? "primary" : "payload") + " block");
                }
            }
            for (int j = 0; j < i; j++) {
                if (list.get(j).number() == num) {
                    throw invalid(Reason.DUPLICATE_BLOCK_NUMBER, "two blocks numbered " + num);
                }
            }
            byte[] d = b.dataArray();
            int off = b.dataOffset();
            int len = b.dataLength();
            if (b.type() == BlockType.PREVIOUS_NODE) {
                if (previousNode != null) {
                    throw invalid(Reason.DUPLICATE_EXTENSION_BLOCK, "more than one Previous Node block");
                }
                previousNode = ExtensionBlocks.decodePreviousNode(d, off, len, maxEidLength);
            } else if (b.type() == BlockType.BUNDLE_AGE) {
                if (age >= 0) {
                    throw invalid(Reason.DUPLICATE_EXTENSION_BLOCK, "more than one Bundle Age block");
                }
                age = ExtensionBlocks.decodeBundleAge(d, off, len);
            } else if (b.type() == BlockType.HOP_COUNT) {
                if (hops != null) {
                    throw invalid(Reason.DUPLICATE_EXTENSION_BLOCK, "more than one Hop Count block");
                }
                hops = ExtensionBlocks.decodeHopCount(d, off, len);
            }
        }
        if (payload == null) {
            throw invalid(Reason.MISSING_PAYLOAD, "no payload block");
        }
        if (p.creationTime() == 0 && age < 0) {
            throw invalid(Reason.MISSING_BUNDLE_AGE, "creation time 0 (no clock) requires a Bundle Age block");
        }
        if (p.isFragment()) {
            long total = p.totalAduLength();
            long offset = p.fragmentOffset();
            if (offset > total || payload.dataLength() > total - offset) {
                throw invalid(Reason.FRAGMENT_OUT_OF_RANGE, "fragment offset " + offset + " + payload length "
                        + payload.dataLength() + " exceeds the total ADU length " + total);
            }
        }
        if (p.crcType() == CrcType.NONE && !primaryCoveredByBib(list)) {
            throw invalid(Reason.PRIMARY_CRC_MISSING, "the primary block has no CRC and no Block Integrity Block targets it");
        }
        List<CanonicalBlock> frozen = list instanceof ArrayList<CanonicalBlock> ? Collections.unmodifiableList(list)
                : List.copyOf(list);
        return new Bundle(p, frozen, previousNode, age, hops, renumbered);
    }

    private static boolean primaryCoveredByBib(List<CanonicalBlock> list) throws MalformedBundleException {
        for (CanonicalBlock b : list) {
            if (b.type() == BlockType.BLOCK_INTEGRITY
                    && ExtensionBlocks.securityTargetsInclude(b.dataArray(), b.dataOffset(), b.dataLength(), 0)) {
                return true;
            }
        }
        return false;
    }

    private static MalformedBundleException invalid(Reason reason, String detail) {
        return new MalformedBundleException(reason, -1, detail);
    }

    public PrimaryBlock primary() {
        return primary;
    }

    /** The canonical blocks in order, payload block last; unmodifiable. */
    public List<CanonicalBlock> blocks() {
        return blocks;
    }

    public CanonicalBlock payloadBlock() {
        return blocks.get(blocks.size() - 1);
    }

    /** The payload, read-only, without copying. */
    public ByteBuffer payload() {
        return payloadBlock().data();
    }

    public int payloadLength() {
        return payloadBlock().dataLength();
    }

    /** The block with this number, or null. */
    public CanonicalBlock block(long number) {
        for (CanonicalBlock b : blocks) {
            if (b.number() == number) {
                return b;
            }
        }
        return null;
    }

    /** The first block of this type, or null. */
    public CanonicalBlock firstBlockOfType(long type) {
        for (CanonicalBlock b : blocks) {
            if (b.type() == type) {
                return b;
            }
        }
        return null;
    }

    /** The node ID in the Previous Node block, or null if there is none. */
    public EndpointId previousNode() {
        return previousNode;
    }

    /** The Bundle Age block's value in milliseconds, or -1 if there is none. */
    public long bundleAge() {
        return bundleAge;
    }

    /** The Hop Count block's value, or null if there is none. */
    public HopCount hopCount() {
        return hopCount;
    }

    /**
     * How many extension blocks the decoder renumbered because they arrived numbered 0, as ION 4.1.3
     * numbers the blocks of its fragments (docs/decisions/0010); 0 for a bundle received as RFC 9171
     * requires, and for every bundle built or edited here. A node counts and logs bundles where this is
     * not 0 as repaired: they are no longer byte for byte what the peer sent.
     */
    public int renumberedBlocks() {
        return renumberedBlocks;
    }

    /** Whether the decoder had to repair this bundle ({@link #renumberedBlocks()} &gt; 0). */
    public boolean repaired() {
        return renumberedBlocks > 0;
    }

    public BundleId bundleId() {
        return primary.bundleId();
    }

    /** Length of {@link #encode()}. */
    public int encodedLength() {
        long n = 2L + primary.encodedLength();
        for (CanonicalBlock b : blocks) {
            n += b.encodedLength();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("bundle too large for one array: " + n + " bytes");
        }
        return (int) n;
    }

    /** The bundle as an indefinite-length CBOR array. */
    public byte[] encode() {
        byte[] out = new byte[encodedLength()];
        out[0] = (byte) 0x9F;
        primary.writeTo(out, 1);
        int at = 1 + primary.encodedLength();
        for (CanonicalBlock b : blocks) {
            b.writeTo(out, at);
            at += b.encodedLength();
        }
        out[at] = (byte) 0xFF;
        return out;
    }

    /**
     * {@link #encode()} in parts whose concatenation is the same bytes: the data of every block of at
     * least {@code minShared} bytes is a view of the array the block holds it in (the payload a node stored
     * or was handed), everything else is encoded into new arrays. For a link that writes a list of
     * buffers: a forwarded bundle whose previous-node, age or hop-count block changed is sent without
     * copying its payload (issue 18). Nobody may change the views' bytes.
     */
    public ByteBuffer[] encodeParts(int minShared) {
        boolean anyShared = false;
        for (CanonicalBlock b : blocks) {
            anyShared |= b.dataLength() >= minShared;
        }
        if (!anyShared) {
            return new ByteBuffer[] {ByteBuffer.wrap(encode())};
        }
        List<ByteBuffer> parts = new ArrayList<>(3);
        Encoded small = new Encoded(primary.encodedLength() + 64);
        small.write(0x9F);
        primary.writeTo(small);
        for (CanonicalBlock b : blocks) {
            if (b.dataLength() < minShared) {
                b.writeTo(small);
                continue;
            }
            b.writeHeadTo(small);
            parts.add(small.part());
            parts.add(b.dataView());
            small = new Encoded(16);
            b.writeTailTo(small);
        }
        small.write(0xFF);
        parts.add(small.part());
        return parts.toArray(ByteBuffer[]::new);
    }

    /** A growable array for the small parts of {@link #encodeParts}. */
    private static final class Encoded extends java.io.ByteArrayOutputStream {
        Encoded(int size) {
            super(size);
        }

        ByteBuffer part() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }

    /** Writes {@link #encode()} to a stream, block by block, without building the whole array. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(0x9F);
        primary.writeTo(out);
        for (CanonicalBlock b : blocks) {
            b.writeTo(out);
        }
        out.write(0xFF);
    }

    /** An editor for forwarding: the primary block is kept byte for byte, canonical blocks can change. */
    public BundleEditor edit() {
        return new BundleEditor(this);
    }

    @Override
    public String toString() {
        return "Bundle[" + primary + ", " + blocks + "]";
    }
}
