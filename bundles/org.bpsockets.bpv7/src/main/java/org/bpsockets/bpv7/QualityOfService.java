package org.bpsockets.bpv7;

/**
 * ION's Quality of Service block (type 193, {@code [flags, class of service, ordinal, data label]}):
 * BPv7 has no priority field, and this is the block ION reads and writes for it, so bundles keep their
 * class of service across our nodes and ION's.
 *
 * @param flags ION's ancillary flags (1 minimum latency, 2 best effort, 4 data label present)
 * @param classOfService 0 bulk, 1 normal, 2 expedited
 * @param ordinal priority within expedited, 0..254
 * @param dataLabel ION's data label
 */
public record QualityOfService(long flags, int classOfService, int ordinal, long dataLabel) {

    public QualityOfService {
        if (classOfService < 0 || classOfService > 2) {
            throw new IllegalArgumentException("class of service must be 0..2, was " + classOfService);
        }
        if (ordinal < 0 || ordinal > 254) {
            throw new IllegalArgumentException("ordinal must be 0..254, was " + ordinal);
        }
    }

    public static QualityOfService of(int classOfService, int ordinal) {
        return new QualityOfService(0, classOfService, ordinal, 0);
    }
}
