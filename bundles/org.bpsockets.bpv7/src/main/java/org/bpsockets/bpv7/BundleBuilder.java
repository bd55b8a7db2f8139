package org.bpsockets.bpv7;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;

/**
 * Builds a new bundle from fields, encoded with shortest integers and definite-length block arrays.
 * Defaults: no flags, report-to {@code dtn:none}, primary block CRC-32C, canonical blocks without
 * CRC, no extension blocks. Extension blocks added without a number get the next free one from 2.
 *
 * <p>{@link #build()} applies the same rules as the decoder and throws
 * {@link IllegalArgumentException} (with the {@link MalformedBundleException} as cause) if the
 * result would not be a valid bundle.
 */
public final class BundleBuilder {
    private long flags;
    private CrcType primaryCrc = CrcType.CRC32C;
    private EndpointId destination;
    private EndpointId source;
    private EndpointId reportTo = DtnEndpointId.NONE;
    private long creationTime = -1;
    private long sequence;
    private long lifetime = -1;
    private long fragmentOffset = -1;
    private long totalAduLength = -1;
    private final List<CanonicalBlock> extensions = new ArrayList<>();
    private long nextNumber = 2;
    private CanonicalBlock payload;

    BundleBuilder() {
    }

    /** Replaces all bundle processing control flags. */
    public BundleBuilder flags(long value) {
        this.flags = value;
        return this;
    }

    /** Sets the given bundle processing control flags in addition to those already set. */
    public BundleBuilder addFlags(long value) {
        this.flags |= value;
        return this;
    }

    public BundleBuilder primaryCrc(CrcType crc) {
        this.primaryCrc = Objects.requireNonNull(crc, "crc");
        return this;
    }

    public BundleBuilder destination(EndpointId eid) {
        this.destination = Objects.requireNonNull(eid, "destination");
        return this;
    }

    public BundleBuilder source(EndpointId eid) {
        this.source = Objects.requireNonNull(eid, "source");
        return this;
    }

    public BundleBuilder reportTo(EndpointId eid) {
        this.reportTo = Objects.requireNonNull(eid, "reportTo");
        return this;
    }

    /** Creation timestamp: DTN time in milliseconds (0 if there is no clock) and sequence number. */
    public BundleBuilder creationTimestamp(long dtnMillis, long sequenceNumber) {
        if (dtnMillis < 0 || sequenceNumber < 0) {
            throw new IllegalArgumentException("creation time and sequence number must not be negative");
        }
        this.creationTime = dtnMillis;
        this.sequence = sequenceNumber;
        return this;
    }

    public BundleBuilder lifetime(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("negative lifetime");
        }
        this.lifetime = millis;
        return this;
    }

    /** Makes this bundle a fragment (sets the fragment flag and both fragment fields). */
    public BundleBuilder fragment(long offset, long totalAduLength) {
        if (offset < 0 || totalAduLength < 0) {
            throw new IllegalArgumentException("negative fragment offset or total ADU length");
        }
        this.flags |= BundleFlags.FRAGMENT;
        this.fragmentOffset = offset;
        this.totalAduLength = totalAduLength;
        return this;
    }

    /** Adds an extension block with the next free block number; the data array is not copied. */
    public BundleBuilder addBlock(long type, long blockFlags, CrcType crc, byte[] data) {
        return addBlock(CanonicalBlock.of(type, nextNumber, blockFlags, crc, data));
    }

    /** Adds an extension block with its own number (later automatic numbers continue above it). */
    public BundleBuilder addBlock(CanonicalBlock block) {
        if (block.isPayload()) {
            throw new IllegalArgumentException("set the payload with payload(...)");
        }
        extensions.add(block);
        nextNumber = Math.max(nextNumber, block.number() + 1);
        return this;
    }

    public BundleBuilder bundleAge(long ageMillis, CrcType crc) {
        return addBlock(BlockType.BUNDLE_AGE, 0, crc, ExtensionBlocks.encodeBundleAge(ageMillis));
    }

    public BundleBuilder hopCount(HopCount hopCount, CrcType crc) {
        return addBlock(BlockType.HOP_COUNT, 0, crc, ExtensionBlocks.encodeHopCount(hopCount));
    }

    public BundleBuilder previousNode(EndpointId nodeId, CrcType crc) {
        return addBlock(BlockType.PREVIOUS_NODE, 0, crc, ExtensionBlocks.encodePreviousNode(nodeId));
    }

    /** The payload with no block flags and no CRC; the array is not copied. */
    public BundleBuilder payload(byte[] data) {
        return payload(data, 0, CrcType.NONE);
    }

    public BundleBuilder payload(byte[] data, long blockFlags, CrcType crc) {
        this.payload = CanonicalBlock.of(BlockType.PAYLOAD, 1, blockFlags, crc, data);
        return this;
    }

    public BundleBuilder payload(ByteBuffer data, long blockFlags, CrcType crc) {
        this.payload = CanonicalBlock.of(BlockType.PAYLOAD, 1, blockFlags, crc, data);
        return this;
    }

    /**
     * @throws IllegalStateException if destination, source, creation timestamp, lifetime or payload is missing
     * @throws IllegalArgumentException if the fields do not make a valid bundle
     */
    public Bundle build() {
        if (destination == null || source == null || creationTime < 0 || lifetime < 0 || payload == null) {
            throw new IllegalStateException("destination, source, creation timestamp, lifetime and payload are required");
        }
        if ((flags & BundleFlags.FRAGMENT) != 0 && fragmentOffset < 0) {
            throw new IllegalArgumentException("the fragment flag needs fragment(offset, totalAduLength)");
        }
        PrimaryBlock primary = PrimaryBlock.create(flags, primaryCrc, destination, source, reportTo, creationTime,
                sequence, lifetime, fragmentOffset, totalAduLength);
        List<CanonicalBlock> blocks = new ArrayList<>(extensions.size() + 1);
        blocks.addAll(extensions);
        blocks.add(payload);
        if ((flags & BundleFlags.ADMIN_RECORD) != 0 || source.isNull()) {
            // RFC 9171 §4.2.4. Only checked on what we build: a received bundle breaking it is harmless,
            // we just never send the report, so the decoder does not refuse it.
            for (CanonicalBlock b : blocks) {
                if (b.hasFlag(BlockFlags.REPORT_IF_UNPROCESSABLE)) {
                    throw new IllegalArgumentException("block " + b.number() + " asks for a status report in a"
                            + " bundle that is an administrative record or anonymous");
                }
            }
        }
        try {
            return Bundle.validated(primary, blocks, Integer.MAX_VALUE);
        } catch (MalformedBundleException e) {
            throw new IllegalArgumentException("not a valid bundle: " + e.getMessage(), e);
        }
    }
}
