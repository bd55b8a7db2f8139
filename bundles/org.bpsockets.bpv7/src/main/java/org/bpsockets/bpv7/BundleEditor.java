package org.bpsockets.bpv7;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;

/**
 * Changes the canonical blocks of a received bundle for forwarding (RFC 9171 §5.4). The primary
 * block is kept exactly as received; untouched blocks keep their received bytes; new or changed
 * blocks are encoded afresh. New blocks get the next free number and go in front of the payload.
 */
public final class BundleEditor {
    private final PrimaryBlock primary;
    private final List<CanonicalBlock> extensions;
    private CanonicalBlock payload;

    BundleEditor(Bundle bundle) {
        this.primary = bundle.primary();
        List<CanonicalBlock> all = bundle.blocks();
        this.extensions = new ArrayList<>(all.subList(0, all.size() - 1));
        this.payload = bundle.payloadBlock();
    }

    private long nextNumber() {
        long max = 1;
        for (CanonicalBlock b : extensions) {
            max = Math.max(max, b.number());
        }
        return max + 1;
    }

    private int indexOfType(long type) {
        for (int i = 0; i < extensions.size(); i++) {
            if (extensions.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }

    /** Removes the block with this number (the payload block cannot be removed). */
    public BundleEditor removeBlock(long number) {
        if (number == 1) {
            throw new IllegalArgumentException("the payload block cannot be removed");
        }
        extensions.removeIf(b -> b.number() == number);
        return this;
    }

    public BundleEditor removeBlocksOfType(long type) {
        extensions.removeIf(b -> b.type() == type);
        return this;
    }

    /** Adds an extension block with the next free number; returns that number. The data array is not copied. */
    public long addBlock(long type, long blockFlags, CrcType crc, byte[] data) {
        if (type == BlockType.PAYLOAD) {
            throw new IllegalArgumentException("a bundle has exactly one payload block");
        }
        long number = nextNumber();
        extensions.add(CanonicalBlock.of(type, number, blockFlags, crc, data));
        return number;
    }

    /** Replaces the data of the block with this number, keeping its type, number, flags and CRC type. */
    public BundleEditor replaceBlockData(long number, byte[] data) {
        if (number == 1) {
            payload = payload.withData(data);
            return this;
        }
        for (int i = 0; i < extensions.size(); i++) {
            if (extensions.get(i).number() == number) {
                extensions.set(i, extensions.get(i).withData(data));
                return this;
            }
        }
        throw new IllegalArgumentException("no block numbered " + number);
    }

    /**
     * Sets the Previous Node block to this node ID: an existing one keeps its number, position, flags and
     * CRC type; otherwise a new block is added with no flags and the given CRC type.
     */
    public BundleEditor setPreviousNode(EndpointId nodeId, CrcType crcIfNew) {
        return put(BlockType.PREVIOUS_NODE, ExtensionBlocks.encodePreviousNode(Objects.requireNonNull(nodeId)), crcIfNew);
    }

    /** Sets the Bundle Age block's value, same rules as {@link #setPreviousNode}. */
    public BundleEditor setBundleAge(long ageMillis, CrcType crcIfNew) {
        return put(BlockType.BUNDLE_AGE, ExtensionBlocks.encodeBundleAge(ageMillis), crcIfNew);
    }

    /** Sets the Hop Count block's value, same rules as {@link #setPreviousNode}. */
    public BundleEditor setHopCount(HopCount hopCount, CrcType crcIfNew) {
        return put(BlockType.HOP_COUNT, ExtensionBlocks.encodeHopCount(hopCount), crcIfNew);
    }

    /**
     * Adds one hop to the Hop Count block, if there is one.
     *
     * @return the new hop count (check {@link HopCount#exceeded()}), or null if the bundle has no Hop Count block
     */
    public HopCount incrementHopCount() {
        int i = indexOfType(BlockType.HOP_COUNT);
        if (i < 0) {
            return null;
        }
        CanonicalBlock b = extensions.get(i);
        HopCount next;
        try {
            next = ExtensionBlocks.decodeHopCount(b.dataArray(), b.dataOffset(), b.dataLength()).incremented();
        } catch (MalformedBundleException e) {
            throw new IllegalStateException("the hop count block was validated", e);
        }
        extensions.set(i, b.withData(ExtensionBlocks.encodeHopCount(next)));
        return next;
    }

    private BundleEditor put(long type, byte[] data, CrcType crcIfNew) {
        int i = indexOfType(type);
        if (i >= 0) {
            extensions.set(i, extensions.get(i).withData(data));
        } else {
            extensions.add(CanonicalBlock.of(type, nextNumber(), 0, Objects.requireNonNull(crcIfNew, "crcIfNew"), data));
        }
        return this;
    }

    /**
     * The edited bundle.
     *
     * @throws IllegalArgumentException if the edit broke a rule (e.g. removed the Bundle Age block of a
     *         bundle without creation time)
     */
    public Bundle build() {
        List<CanonicalBlock> blocks = new ArrayList<>(extensions.size() + 1);
        blocks.addAll(extensions);
        blocks.add(payload);
        try {
            return Bundle.validated(primary, blocks, Integer.MAX_VALUE);
        } catch (MalformedBundleException e) {
            throw new IllegalArgumentException("edit makes an invalid bundle: " + e.getMessage(), e);
        }
    }
}
