package org.bpsockets.cla.common.testing;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.bpv7.BundleCodec;
import org.bpsockets.bpv7.CrcType;
import org.bpsockets.bpv7.MalformedBundleException;

/** Real BPv7 bundles for interop tests, made and read with the project's codec. */
public final class TestBundles {
    /** DTN time: seconds since 2000-01-01T00:00:00Z. */
    static final long DTN_EPOCH = 946_684_800L;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private TestBundles() {
    }

    /** A bundle as µD3TN and ION make them (primary CRC-16, payload without CRC), two minutes' lifetime. */
    public static byte[] bundle(String source, String destination, byte[] payload) {
        long dtnMillis = (Instant.now().getEpochSecond() - DTN_EPOCH) * 1000;
        return Bundle.builder().source(EndpointId.parse(source)).destination(EndpointId.parse(destination))
                .creationTimestamp(dtnMillis, SEQUENCE.incrementAndGet()).lifetime(120_000)
                .primaryCrc(CrcType.CRC16).payload(payload).build().encode();
    }

    public static Bundle decode(byte[] encoded) throws MalformedBundleException {
        return BundleCodec.decode(encoded);
    }

    public static byte[] payload(Bundle b) {
        byte[] out = new byte[b.payloadLength()];
        b.payload().get(out);
        return out;
    }
}
