package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations and truncations of valid bundles: decoding either succeeds (and then the result
 * re-encodes to something that decodes the same) or throws {@link MalformedBundleException}. Any other
 * exception fails the test.
 */
class MutationTest {
    static final long SEED = 0x9171_9758L;
    static final int ROUNDS = 4000;

    static List<byte[]> seeds() throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (String v : new String[] {GoldenVectorTest.RFC9173_A3, GoldenVectorTest.HARDY_A1_CRC16,
            GoldenVectorTest.BSL_DTN_CRC32C, GoldenVectorTest.BPLIB_SAMPLE, GoldenVectorTest.hex(GoldenVectorTest.ION),
            GoldenVectorTest.hex(GoldenVectorTest.ION_ANONYMOUS), GoldenVectorTest.UD3TN}) {
            out.add(Hex.bytes(v));
        }
        out.add(Bundle.builder().destination(EndpointId.parse("ipn:977000.2.1")).source(EndpointId.parse("ipn:0.1.1"))
                .creationTimestamp(0, 1).lifetime(10).fragment(3, 40).bundleAge(5, CrcType.CRC16)
                .hopCount(new HopCount(9, 1), CrcType.CRC32C).payload(new byte[20], 1, CrcType.CRC32C).build().encode());
        // Unprotected blocks, so mutations also reach the semantic checks instead of stopping at a CRC.
        out.add(TestBundles.bundle(TestBundles.simplePrimary("00"), "8507020000 421864", "850a030000 43820a01",
                "8506040000 45" + TestBundles.IPN_1_0, TestBundles.PAYLOAD));
        return out;
    }

    @Test
    void mutatedBundlesFailOnlyWithTheCodecException() throws Exception {
        Random rnd = new Random(SEED);
        List<byte[]> seeds = seeds();
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        int decoded = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] input = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                Bundle b = BundleCodec.decode(input, new DecodeLimits(1 << 16, 16, 256));
                decoded++;
                byte[] again = b.encode();
                assertArrayEquals(again, BundleCodec.decode(again).encode());
            } catch (MalformedBundleException e) {
                seen.add(e.reason());
                assertTrue(e.getMessage().length() > 0);
            }
        }
        // The mutations reach deep into the decoder, not only its first checks.
        assertTrue(seen.containsAll(EnumSet.of(Reason.TRUNCATED, Reason.CRC_MISMATCH, Reason.WRONG_TYPE,
                Reason.BAD_CBOR, Reason.TRAILING_BYTES, Reason.BAD_BLOCK_DATA)), seen.toString());
        assertTrue(decoded > 0, "some mutations (e.g. of unprotected data bytes) still decode");
    }

    @Test
    void mutatedStatusReportsFailOnlyWithTheCodecException() throws Exception {
        Random rnd = new Random(SEED + 1);
        Bundle subject = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .flags(BundleFlags.STATUS_TIME_REQUESTED).creationTimestamp(99, 1).lifetime(1).fragment(10, 100)
                .payload(new byte[5]).build();
        byte[] record = StatusReport.about(subject, StatusReportKind.DELETION, 9, 12345).encodeRecord();
        for (int i = 0; i < 1500; i++) {
            byte[] input = mutate(record, rnd);
            try {
                AdministrativeRecord r = AdministrativeRecord.decode(ByteBuffer.wrap(input));
                if (r.isStatusReport()) {
                    StatusReport s = r.statusReport();
                    assertEquals(s, AdministrativeRecord.decode(ByteBuffer.wrap(s.encodeRecord())).statusReport());
                }
            } catch (MalformedBundleException e) {
                assertTrue(e.getMessage().length() > 0);
            }
        }
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        switch (rnd.nextInt(7)) {
            case 0 -> { // flip one bit
                int i = rnd.nextInt(b.length);
                b[i] ^= (byte) (1 << rnd.nextInt(8));
            }
            case 1 -> { // overwrite 1-3 bytes
                for (int k = rnd.nextInt(3); k >= 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length)); // truncate
            case 3 -> { // insert a byte
                int i = rnd.nextInt(b.length + 1);
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, i);
                c[i] = (byte) rnd.nextInt(256);
                System.arraycopy(b, i, c, i + 1, b.length - i);
                b = c;
            }
            case 4 -> { // delete a byte
                int i = rnd.nextInt(b.length);
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, i);
                System.arraycopy(b, i + 1, c, i, b.length - i - 1);
                b = c;
            }
            case 5 -> { // large length heads in random places
                int i = rnd.nextInt(b.length);
                b[i] = (byte) (0x5b | (rnd.nextInt(8) << 5) & 0xe0);
            }
            default -> { // flip a bit in an unprotected-looking spot and duplicate a slice
                int from = rnd.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + rnd.nextInt(8));
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, from + len);
                System.arraycopy(b, from, c, from + len, b.length - from);
                b = c;
            }
        }
        return b;
    }
}
