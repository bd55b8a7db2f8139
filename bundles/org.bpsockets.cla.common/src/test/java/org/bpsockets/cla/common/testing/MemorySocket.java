package org.bpsockets.cla.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * An accepted connection in memory, for the stream layers' fuzz targets: the peer has sent {@code input}
 * and then closed its sending side (reads return the bytes, then end of stream); what the node writes is
 * counted and dropped. Closed, it fails reads and writes as a closed TCP socket does. Everything a stream
 * session calls on its socket is here; nothing reaches the operating system.
 */
public final class MemorySocket extends Socket {
    private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4556);

    private final byte[] input;
    private int position;
    private long written;
    private int timeout;
    private boolean closed;
    private boolean inputShut;
    private boolean outputShut;

    private final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (MemorySocket.this) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (len == 0) {
                    return 0;
                }
                if (inputShut || position >= input.length) {
                    return -1;
                }
                int n = Math.min(len, input.length - position);
                System.arraycopy(input, position, b, off, n);
                position += n;
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (MemorySocket.this) {
                return closed || inputShut ? 0 : input.length - position;
            }
        }

        @Override
        public void close() {
            MemorySocket.this.close();
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (MemorySocket.this) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (outputShut) {
                    throw new SocketException("Socket output is shutdown");
                }
                written += len;
            }
        }

        @Override
        public void close() {
            MemorySocket.this.close();
        }
    };

    public MemorySocket(byte[] input) {
        this.input = input;
    }

    /** Bytes the node wrote before it closed or shut down its side. */
    public synchronized long written() {
        return written;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return out;
    }

    @Override
    public synchronized void setSoTimeout(int millis) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        timeout = millis;
    }

    @Override
    public synchronized int getSoTimeout() throws SocketException {
        return timeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public boolean getKeepAlive() {
        return true;
    }

    @Override
    public synchronized void shutdownInput() {
        inputShut = true;
    }

    @Override
    public synchronized void shutdownOutput() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        outputShut = true;
    }

    @Override
    public synchronized boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public synchronized boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return PEER;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return LOCAL;
    }

    @Override
    public InetAddress getInetAddress() {
        return PEER.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return LOCAL.getAddress();
    }

    @Override
    public int getPort() {
        return PEER.getPort();
    }

    @Override
    public int getLocalPort() {
        return LOCAL.getPort();
    }

    @Override
    public String toString() {
        return "MemorySocket[" + input.length + " bytes from the peer]";
    }
}
