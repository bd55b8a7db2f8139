package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Reassembler.Result;
import org.bpsockets.bpv7.Reassembler.Status;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz targets (Jazzer) for every decoder of this bundle that reads bytes from a peer.
 * Under {@code mvn install} each target runs only its committed inputs, in
 * {@code src/test/resources/org/bpsockets/bpv7/Bpv7FuzzTestInputs/<target>/} (seeds: the golden vectors and
 * valid messages of each kind; regression inputs: every input that found a bug); {@code tools/fuzz} fuzzes
 * them. A refusal with {@link MalformedBundleException} passes; any other exception escaping, or a broken
 * invariant, is a finding.
 */
class Bpv7FuzzTest {
    static final DecodeLimits SMALL = new DecodeLimits(1 << 16, 16, 256);

    /** BundleCodec.decode: refuses or yields a bundle that re-encodes stably and within the limits. */
    @FuzzTest
    void bundleDecode(byte[] input) throws Exception {
        Bundle b;
        try {
            b = BundleCodec.decode(input, SMALL);
        } catch (MalformedBundleException e) {
            assertNotNull(e.reason());
            return;
        }
        assertTrue(input.length <= SMALL.maxBundleBytes());
        assertTrue(b.blocks().size() <= SMALL.maxBlocks());
        byte[] again = b.encode();
        assertEquals(again.length, b.encodedLength());
        Bundle b2 = BundleCodec.decode(again);
        assertArrayEquals(again, b2.encode());
        assertEquals(b.bundleId(), b2.bundleId());
        // What the node reads from a received bundle must not throw anything but the codec's exception.
        b.previousNode();
        b.bundleAge();
        b.hopCount();
        b.payload();
        b.toString();
        CanonicalBlock qos = b.firstBlockOfType(193);
        if (qos != null) {
            try {
                ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(qos.dataArray(), qos.dataOffset(), qos.dataLength()));
            } catch (MalformedBundleException e) {
                // a refusal
            }
        }
        if (b.primary().isAdminRecord()) {
            adminRecordOf(b);
        }
    }

    private static void adminRecordOf(Bundle b) {
        try {
            AdministrativeRecord r = AdministrativeRecord.of(b);
            if (r.isStatusReport()) {
                r.statusReport().subject();
            }
        } catch (MalformedBundleException e) {
            // a refusal
        }
    }

    /** Administrative records and status reports: refused, or decoded to a report that round-trips. */
    @FuzzTest
    void adminRecord(byte[] input) throws Exception {
        AdministrativeRecord r;
        try {
            r = AdministrativeRecord.decode(ByteBuffer.wrap(input));
        } catch (MalformedBundleException e) {
            return;
        }
        assertTrue(r.content().remaining() <= input.length);
        if (!r.isStatusReport()) {
            return;
        }
        StatusReport s;
        try {
            s = r.statusReport();
        } catch (MalformedBundleException e) {
            return;
        }
        s.reason();
        s.subject();
        s.isAboutFragment();
        assertEquals(s, AdministrativeRecord.decode(ByteBuffer.wrap(s.encodeRecord())).statusReport());
    }

    /** The CBOR reader: skipping items always advances within the input, or refuses. */
    @FuzzTest
    void cbor(byte[] input) {
        CborReader r = new CborReader(input, 0, input.length);
        while (r.remaining() > 0) {
            int before = r.pos;
            try {
                r.skip("an item");
            } catch (MalformedBundleException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= input.length, e.getMessage());
                break;
            }
            assertTrue(r.pos > before && r.pos <= input.length, "skip moved from " + before + " to " + r.pos);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(input);
            long n = Cbor.readByteStringHeader(in);
            // -1: the head is not complete yet, and nothing was consumed
            assertTrue(n >= 0 || n == -1 && in.position() == 0, "length " + n);
        } catch (MalformedBundleException e) {
            // a refusal
        }
    }

    /** ION's Quality of Service block: refused, or decoded to a value that re-encodes to the same value. */
    @FuzzTest
    void qualityOfService(byte[] input) throws Exception {
        QualityOfService q;
        try {
            q = ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(input));
        } catch (MalformedBundleException e) {
            assertEquals(MalformedBundleException.Reason.BAD_BLOCK_DATA, e.reason());
            return;
        }
        assertEquals(q, ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(ExtensionBlocks.encodeQualityOfService(q))));
    }

    private static final EndpointId SRC = EndpointId.parse("ipn:1.1");
    private static final EndpointId DST = EndpointId.parse("ipn:2.1");

    /**
     * Reassembly of a sequence of fragments (built from the fuzzer's choices, or decoded from its bytes):
     * memory stays within the limit, and a completed ADU whose fragments all carried the reference bytes is
     * exactly those bytes.
     */
    @FuzzTest
    void reassembly(FuzzedDataProvider data) throws Exception {
        long limit = data.consumeLong(0, 1 << 14);
        Reassembler r = new Reassembler(limit);
        byte[] reference = new byte[4096];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = (byte) (i * 31 + 7);
        }
        Set<Long> tainted = new HashSet<>();
        int steps = data.consumeInt(1, 40);
        for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
            Bundle fragment;
            boolean raw = data.consumeBoolean();
            if (raw) {
                try {
                    fragment = BundleCodec.decode(data.consumeBytes(data.consumeInt(0, 512)), SMALL);
                } catch (MalformedBundleException e) {
                    continue;
                }
                tainted.add(fragment.primary().sequenceNumber());
            } else {
                long seq = data.consumeLong(0, 2);
                int total = data.consumeInt(0, 2048);
                int offset = data.consumeInt(0, total);
                int len = data.consumeInt(0, Math.min(total - offset, 1024));
                boolean bundleAge = data.consumeBoolean();
                long payloadFlags = data.consumeBoolean() ? 0 : BlockFlags.REPLICATE_IN_EVERY_FRAGMENT;
                BundleBuilder bb = Bundle.builder().destination(DST).source(SRC).creationTimestamp(1000, seq)
                        .lifetime(60_000).fragment(offset, total)
                        .payload(Arrays.copyOfRange(reference, offset, offset + len), payloadFlags,
                                data.consumeBoolean() ? CrcType.NONE : CrcType.CRC32C);
                if (bundleAge) {
                    bb.bundleAge(data.consumeLong(0, 1000), CrcType.CRC16);
                }
                try {
                    fragment = bb.build();
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (data.consumeBoolean()) {
                    // Through the codec, as a fragment arrives from a peer.
                    fragment = BundleCodec.decode(fragment.encode());
                }
            }
            Result res = r.offer(fragment);
            assertNotNull(res.status());
            assertTrue(r.bufferedBytes() >= 0 && r.bufferedBytes() <= limit,
                    "buffered " + r.bufferedBytes() + " of " + limit);
            if (res.status() == Status.COMPLETE) {
                Bundle whole = res.bundle();
                assertNotNull(whole);
                assertFalse(whole.primary().isFragment());
                Bundle again = BundleCodec.decode(whole.encode());
                assertEquals(whole.payloadLength(), again.payloadLength());
                long seq = whole.primary().sequenceNumber();
                if (fragment.primary().isFragment() && !raw && !tainted.contains(seq)
                        && whole.primary().source().equals(SRC)) {
                    byte[] got = new byte[whole.payloadLength()];
                    whole.payload().duplicate().get(got);
                    assertArrayEquals(Arrays.copyOf(reference, got.length), got, "reassembled ADU");
                }
            } else {
                assertEquals(null, res.bundle());
            }
        }
        if (r.pendingCount() == 0) {
            assertEquals(0, r.bufferedBytes());
        }
    }
}
