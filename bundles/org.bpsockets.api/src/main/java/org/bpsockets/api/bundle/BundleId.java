package org.bpsockets.api.bundle;

import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;

/**
 * What identifies a bundle (RFC 9171 §5): its source, creation time and sequence number, plus the
 * fragment offset for fragments ({@code -1} for a whole bundle). Status reports name bundles this way,
 * and the registry uses it to recognise a bundle delivered twice.
 *
 * @param source the bundle's source endpoint
 * @param creationTime DTN time in milliseconds, 0 if the source had no clock
 * @param sequence the creation timestamp's sequence number
 * @param fragmentOffset the fragment offset, or -1 when the bundle is not a fragment
 */
public record BundleId(EndpointId source, long creationTime, long sequence, long fragmentOffset) {

    public BundleId {
        Objects.requireNonNull(source, "source");
    }

    /** The identifier of a bundle that is not a fragment. */
    public static BundleId of(EndpointId source, long creationTime, long sequence) {
        return new BundleId(source, creationTime, sequence, -1);
    }

    public boolean isFragment() {
        return fragmentOffset >= 0;
    }

    /**
     * Mixed, not the record's {@code 31 * h + c}: IDs differ in consecutive creation times and sequence
     * numbers, which that sum packed into a few of a hash table's buckets; a node's maps of 100,000 IDs
     * then searched trees of colliding entries on every bundle (issue 18: 9% of the event thread).
     */
    @Override
    public int hashCode() {
        long h = mix(source.hashCode() * 0x9E3779B97F4A7C15L + creationTime);
        h = mix(h ^ sequence);
        h = mix(h ^ fragmentOffset);
        return (int) (h ^ (h >>> 32));
    }

    /** MurmurHash3's 64-bit finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    @Override
    public String toString() {
        return source + "@" + creationTime + "." + sequence + (isFragment() ? "+" + fragmentOffset : "");
    }
}
