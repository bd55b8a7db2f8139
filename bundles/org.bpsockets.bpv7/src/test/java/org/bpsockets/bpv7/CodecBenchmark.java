package org.bpsockets.bpv7;

import org.bpsockets.api.eid.EndpointId;

/**
 * Throughput of the codec on bundles with a 100-byte payload (not a test; not run by the build).
 * Run after {@code mvn install}:
 * <pre>
 * java -cp bundles/org.bpsockets.bpv7/target/classes:bundles/org.bpsockets.bpv7/target/test-classes:\
 *   bundles/org.bpsockets.api/target/classes org.bpsockets.bpv7.CodecBenchmark [seconds]
 * </pre>
 */
public final class CodecBenchmark {
    private static volatile Object sink;

    private CodecBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        EndpointId dst = EndpointId.parse("ipn:2.1");
        EndpointId src = EndpointId.parse("ipn:1.1");
        EndpointId rpt = EndpointId.parse("ipn:1.0");
        EndpointId me = EndpointId.parse("ipn:5.0");
        byte[] payload = new byte[100];
        byte[] wire = build(dst, src, rpt, payload, 1).encode();
        System.out.println("bundle: " + wire.length + " bytes (primary CRC-32C, hop count CRC-16, payload CRC-32C)");

        for (int round = 0; round < 2; round++) { // the first round is the warm-up
            boolean report = round == 1;
            rate(report, "build+encode", seconds, i -> build(dst, src, rpt, payload, i).encode());
            Bundle built = build(dst, src, rpt, payload, 1);
            rate(report, "encode (built bundle)", seconds, i -> built.encode());
            rate(report, "decode", seconds, i -> BundleCodec.decode(wire));
            rate(report, "decode+forward+encode", seconds, i -> {
                BundleEditor e = BundleCodec.decode(wire).edit();
                e.incrementHopCount();
                return e.setPreviousNode(me, CrcType.NONE).setBundleAge(i, CrcType.NONE).build().encode();
            });
        }
    }

    static Bundle build(EndpointId dst, EndpointId src, EndpointId rpt, byte[] payload, long seq) {
        return Bundle.builder().destination(dst).source(src).reportTo(rpt).creationTimestamp(800_000_000_000L, seq)
                .lifetime(86_400_000).hopCount(HopCount.withLimit(32), CrcType.CRC16)
                .payload(payload, 0, CrcType.CRC32C).build();
    }

    interface Op {
        Object run(long i) throws Exception;
    }

    static void rate(boolean report, String name, double seconds, Op op) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long n = 0;
        while (true) {
            for (int k = 0; k < 1000; k++) {
                sink = op.run(n++);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (report) {
            System.out.printf("%-24s %,12.0f /s%n", name, n / elapsed);
        }
    }
}
