package org.bpsockets.api.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;
import org.junit.jupiter.api.Test;

class BundleIdTest {
    private static final EndpointId SRC = EndpointId.parse("ipn:1.1");

    @Test
    void equalIdsHashAlikeAndFragmentsDiffer() {
        assertEquals(BundleId.of(SRC, 5, 7), BundleId.of(EndpointId.parse("ipn:1.1"), 5, 7));
        assertEquals(BundleId.of(SRC, 5, 7).hashCode(), BundleId.of(EndpointId.parse("ipn:1.1"), 5, 7).hashCode());
        assertNotEquals(BundleId.of(SRC, 5, 7), new BundleId(SRC, 5, 7, 0));
    }

    /**
     * A node remembers up to 100,000 IDs in hash maps. IDs of one source differ in consecutive sequence
     * numbers and creation times (here 100 bundles per millisecond): they must spread over a table's
     * buckets as HashMap indexes them, not pile into a few (the record's default hash used 43% of them).
     */
    @Test
    void consecutiveIdsSpreadOverAHashTablesBuckets() {
        int n = 100_000;
        int mask = (1 << 18) - 1; // HashMap's table for 100,000 entries
        Set<Integer> buckets = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int h = BundleId.of(SRC, 820_000_000_000L + i / 100, i).hashCode();
            buckets.add((h ^ (h >>> 16)) & mask);
        }
        // Random hashes would fill n * (1 - 1/e)-ish of them when n is near the table's size: about 82,600.
        assertTrue(buckets.size() > 75_000, buckets.size() + " buckets used by " + n + " IDs");
    }
}
