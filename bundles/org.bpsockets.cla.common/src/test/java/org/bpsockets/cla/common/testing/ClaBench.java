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
            ByteBuffer small = ByteBuffer.wrap(Bytes.pattern(size, 1)).asReadOnlyBuffer();
            pump(link, small, Math.min(count, 20_000), writable, arrivals);
            double best = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                pump(link, small, count, writable, arrivals);
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, count / s);
            }
            double raw = 0;
            for (int round = 0; round < 3; round++) {
                raw = Math.max(raw, count / rawTcp(count, size));
            }
            ByteBuffer big = ByteBuffer.wrap(Bytes.pattern(bigSize, 2));
            pump(link, big, 1, writable, arrivals);
            double bigMs = Double.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                long t0 = System.nanoTime();
                pump(link, big, 1, writable, arrivals);
                bigMs = Math.min(bigMs, (System.nanoTime() - t0) / 1e6);
            }
            double rawBigMs = Double.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                rawBigMs = Math.min(rawBigMs, rawTcp(1, bigSize) * 1000);
            }
            drain.interrupt();
            receivedBytes.set(0);
            System.out.printf(Locale.ROOT, "%-8s %,d x %d B: %,.0f bundles/s; raw TCP same bytes: %,.0f/s; ratio %.2f%n",
                    name, count, size, best, raw, best / raw);
            System.out.printf(Locale.ROOT, "%-8s one %,d B bundle: %.1f ms; raw TCP: %.1f ms; ratio %.2f%n", name,
                    bigSize, bigMs, rawBigMs, bigMs / rawBigMs);
            return new Result(best, raw, bigMs, rawBigMs);
        }
    }

    /** Sends {@code n} bundles, respecting the queue limit, and waits until the peer has all of them. */
    private static void pump(Link link, ByteBuffer bundle, int n, Semaphore writable, Semaphore arrivals)
            throws InterruptedException {
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
        if (!arrivals.tryAcquire(n, 60, TimeUnit.SECONDS) || !done.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("bundles did not all arrive");
        }
        writable.drainPermits();
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
