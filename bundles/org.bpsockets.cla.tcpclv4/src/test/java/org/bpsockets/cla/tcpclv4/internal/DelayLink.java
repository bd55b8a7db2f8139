package org.bpsockets.cla.tcpclv4.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long link for tests: a TCP relay on 127.0.0.1 that holds every chunk it reads for a fixed delay
 * before writing it on, both ways, order kept. The TCP handshakes at either end are not delayed; what
 * the two sides say to each other is, as over a link with that one-way delay.
 */
final class DelayLink implements AutoCloseable {
    private static final byte[] EOF = new byte[0];

    private final ServerSocket server;
    private final int targetPort;
    private final long delayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    DelayLink(int targetPort, long delayMillis) throws IOException {
        this.server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        Thread t = new Thread(this::accept, "delay-link-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket a = server.accept();
                Socket b = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(a);
                sockets.add(b);
                pump(a, b);
                pump(b, a);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private record Chunk(long due, byte[] data) {
    }

    private void pump(Socket from, Socket to) throws IOException {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[65536];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // the socket was closed
            }
            queue.add(new Chunk(System.nanoTime() + delayNanos, EOF));
        }, "delay-link-read");
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (c.data() == EOF) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(c.data());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the socket was closed
            }
        }, "delay-link-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
