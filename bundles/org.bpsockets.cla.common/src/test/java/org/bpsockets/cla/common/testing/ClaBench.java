package org.bpsockets.cla.common.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.TransmitCallback;

/**
 * Throughput of a convergence layer between two instances on loopback, against raw TCP moving the
 * same bytes in the same run. Run from a layer's test sources with a {@code main}; not part of the
 * build.
 */
public final class ClaBench {

    /** One running layer instance. */
    public interface Instance extends AutoCloseable {
        ConvergenceLayer layer();

        /** Where it listens, in its layer's address format. */
        String address();

        @Override
        void close();
    }

    public interface Factory {
        Instance create(FakeClaContext context, boolean listen) throws Exception;
    }

    public record Result(double bundlesPerSecond, double rawBundlesPerSecond, double bigMillis, double rawBigMillis) {
    }

    private ClaBench() {
    }

    public static Result run(String name, Factory factory, int count, int size, int bigSize) throws Exception {
        return run(name, factory, count, size, bigSize, false);
    }

    /**
     * @param lossy the layer may drop bundles (UDP): rates count what arrived, up to the last arrival,
     *        and raw UDP is measured as well
     */
    public static Result run(String name, Factory factory, int count, int size, int bigSize, boolean lossy)
            throws Exception {
        FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
        FakeClaContext ctxB = new FakeClaContext("ipn:2.0");
        AtomicLong receivedCount = new AtomicLong();
        AtomicLong receivedBytes = new AtomicLong();
        Semaphore arrivals = new Semaphore(0);
        ctxB.hook = r -> {
            r.receipt().accepted();
            receivedCount.incrementAndGet();
            arrivals.release();
        };
        Semaphore writable = new Semaphore(0);
        try (Instance b = factory.create(ctxB, true); Instance a = factory.create(ctxA, false)) {
            Link link = a.layer().connect(b.address(), Map.of());
            ctxA.awaitUp(Duration.ofSeconds(10));
            Thread drain = new Thread(() -> {
                try {
                    while (true) {
                        ctxA.writable.take();
                        writable.release();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            drain.setDaemon(true);
            drain.start();
            ByteBuffer small = ByteBuffer.wrap(bundleLike(size, 1)).asReadOnlyBuffer();
            pump(link, small, Math.min(count, 20_000), writable, arrivals, lossy);
            double best = 0;
            long delivered = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                long[] got = pump(link, small, count, writable, arrivals, lossy);
                double s = (got[1] - t0) / 1e9;
                if (got[0] / s > best) {
                    best = got[0] / s;
                    delivered = got[0];
                }
            }
            double raw = 0;
            for (int round = 0; round < 3; round++) {
                raw = Math.max(raw, count / rawTcp(count, size));
            }
            ByteBuffer big = ByteBuffer.wrap(bundleLike(bigSize, 2));
            pump(link, big, 1, writable, arrivals, lossy);
            double bigMs = Double.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                long t0 = System.nanoTime();
                long[] got = pump(link, big, 1, writable, arrivals, lossy);
                if (got[0] == 1) {
                    bigMs = Math.min(bigMs, (got[1] - t0) / 1e6);
                }
            }
            double rawBigMs = Double.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                rawBigMs = Math.min(rawBigMs, rawTcp(1, bigSize) * 1000);
            }
            drain.interrupt();
            receivedBytes.set(0);
            System.out.printf(Locale.ROOT, "%-8s %,d x %d B: %,.0f bundles/s; raw TCP same bytes: %,.0f/s; ratio %.2f%n",
                    name, count, size, best, raw, best / raw);
            if (lossy) {
                double rawUdp = rawUdp(count, size);
                System.out.printf(Locale.ROOT, "%-8s delivered %,d of %,d; raw UDP same datagrams: %,.0f/s; ratio %.2f%n",
                        name, delivered, count, rawUdp, best / rawUdp);
            }
            System.out.printf(Locale.ROOT, "%-8s one %,d B bundle: %.1f ms; raw TCP: %.1f ms; ratio %.2f%n", name,
                    bigSize, bigMs, rawBigMs, bigMs / rawBigMs);
            return new Result(best, raw, bigMs, rawBigMs);
        }
    }

    /** Random bytes behind a CBOR indefinite-array head, which is what the UDP layer lets through. */
    private static byte[] bundleLike(int size, int seed) {
        byte[] b = Bytes.pattern(size, seed);
        b[0] = (byte) 0x9f;
        return b;
    }

    /**
     * Sends {@code n} bundles, respecting the queue limit, and waits until the peer has all of them
     * (lossy: until none arrived for half a second). Returns {arrived, nanoTime of the last arrival}.
     */
    private static long[] pump(Link link, ByteBuffer bundle, int n, Semaphore writable, Semaphore arrivals,
            boolean lossy) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(n);
        TransmitCallback cb = new TransmitCallback() {
            @Override
            public void transmitted() {
                done.countDown();
            }

            @Override
            public void failed(String reason) {
                throw new AssertionError("transmit failed: " + reason);
            }
        };
        for (int i = 0; i < n; i++) {
            while (!link.transmit(bundle, cb)) {
                if (!writable.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("link never became writable again");
                }
            }
        }
        long got = 0;
        long last = System.nanoTime();
        if (lossy) {
            while (got < n && arrivals.tryAcquire(500, TimeUnit.MILLISECONDS)) {
                got++;
                last = System.nanoTime();
            }
            arrivals.drainPermits();
        } else {
            if (!arrivals.tryAcquire(n, 60, TimeUnit.SECONDS) || !done.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("bundles did not all arrive");
            }
            got = n;
            last = System.nanoTime();
        }
        writable.drainPermits();
        return new long[] {got, last};
    }

    /** Datagrams per second of raw UDP over loopback, counting only those that arrive. */
    public static double rawUdp(int n, int size) throws IOException, InterruptedException {
        byte[] chunk = Bytes.pattern(size, 3);
        try (java.net.DatagramSocket rx = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                java.net.DatagramSocket tx = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            rx.setReceiveBufferSize(4 << 20);
            rx.setSoTimeout(500);
            AtomicLong got = new AtomicLong();
            AtomicLong last = new AtomicLong();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[65536];
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                try {
                    while (got.get() < n) {
                        p.setLength(buf.length);
                        rx.receive(p);
                        got.incrementAndGet();
                        last.set(System.nanoTime());
                    }
                } catch (IOException e) {
                    // timed out: the rest was lost
                }
            });
            reader.start();
            java.net.DatagramPacket p = new java.net.DatagramPacket(chunk, size, rx.getLocalSocketAddress());
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                tx.send(p);
            }
            reader.join();
            return got.get() / ((last.get() - t0) / 1e9);
        }
    }

    /** Seconds to move {@code n * size} bytes, written {@code size} at a time through a 64 KiB buffer. */
    public static double rawTcp(int n, int size) throws IOException, InterruptedException {
        byte[] chunk = Bytes.pattern(size, 3);
        long total = (long) n * size;
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CountDownLatch read = new CountDownLatch(1);
            AtomicLong end = new AtomicLong();
            Thread reader = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    long got = 0;
                    while (got < total) {
                        int r = in.read(buf);
                        if (r < 0) {
                            break;
                        }
                        got += r;
                    }
                    end.set(System.nanoTime());
                } catch (IOException e) {
                    e.printStackTrace();
                } finally {
                    read.countDown();
                }
            });
            reader.start();
            try (Socket c = new Socket()) {
                c.setTcpNoDelay(true);
                c.connect(server.getLocalSocketAddress());
                OutputStream out = new BufferedOutputStream(c.getOutputStream(), 64 * 1024);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    out.write(chunk);
                }
                out.flush();
                read.await(60, TimeUnit.SECONDS);
                return (end.get() - t0) / 1e9;
            }
        }
    }
}
