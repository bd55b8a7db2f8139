package org.bpsockets.bpv7;

import java.util.ArrayList;
import java.util.List;

/**
 * Proactive fragmentation (RFC 9171 §5.8). Each fragment's primary block gets the fragment flag,
 * offset and total ADU length, while its destination..lifetime bytes are copied from the original, so
 * the EID forms survive. Blocks flagged "replicate in every fragment" go into every fragment, the
 * other extension blocks into the first only. Payload slices are not copied.
 */
public final class Fragmentation {
    private Fragmentation() {
    }

    /** False if the bundle carries the must-not-fragment flag. */
    public static boolean mayFragment(Bundle bundle) {
        return !bundle.primary().mustNotFragment();
    }

    /**
     * Splits the payload into fragments of at most {@code maxPayloadBytes} each. A bundle whose payload
     * already fits is returned alone, unchanged. A fragment can be fragmented again: offsets stay
     * relative to the original ADU.
     *
     * @throws IllegalStateException if the bundle must not be fragmented and its payload does not fit
     * @throws IllegalArgumentException if {@code maxPayloadBytes < 1}
     */
    public static List<Bundle> fragment(Bundle bundle, int maxPayloadBytes) {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be at least 1");
        }
        int length = bundle.payloadLength();
        if (length <= maxPayloadBytes) {
            return List.of(bundle);
        }
        PrimaryBlock p = bundle.primary();
        if (p.mustNotFragment()) {
            throw new IllegalStateException("the bundle must not be fragmented (" + length + " payload bytes, limit "
                    + maxPayloadBytes + ")");
        }
        long base = p.isFragment() ? p.fragmentOffset() : 0;
        long total = p.isFragment() ? p.totalAduLength() : length;
        CanonicalBlock payload = bundle.payloadBlock();
        List<CanonicalBlock> all = bundle.blocks();
        List<CanonicalBlock> extensions = all.subList(0, all.size() - 1);
        List<Bundle> out = new ArrayList<>((length + maxPayloadBytes - 1) / maxPayloadBytes);
        for (int off = 0; off < length; off += maxPayloadBytes) {
            int n = Math.min(maxPayloadBytes, length - off);
            List<CanonicalBlock> blocks = new ArrayList<>(extensions.size() + 1);
            for (CanonicalBlock b : extensions) {
                if (off == 0 || b.hasFlag(BlockFlags.REPLICATE_IN_EVERY_FRAGMENT)) {
                    blocks.add(b);
                }
            }
            blocks.add(CanonicalBlock.of(BlockType.PAYLOAD, 1, payload.flags(), payload.crcType(),
                    payload.dataArray(), payload.dataOffset() + off, n));
            PrimaryBlock fp = p.withFragmentFields(p.flags() | BundleFlags.FRAGMENT, base + off, total);
            try {
                out.add(Bundle.validated(fp, blocks, Integer.MAX_VALUE));
            } catch (MalformedBundleException e) {
                // Only a rule a fragment can break: e.g. a creation time of 0 whose Bundle Age block is not replicated.
                throw new IllegalStateException("cannot fragment: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
