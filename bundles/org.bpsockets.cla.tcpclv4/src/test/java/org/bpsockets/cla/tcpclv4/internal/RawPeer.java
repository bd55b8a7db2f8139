package org.bpsockets.cla.tcpclv4.internal;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A TCPCLv4 peer written byte by byte from RFC 9174, for driving a session into corners. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    RawPeer(int port) throws IOException {
        this(port, -1);
    }

    /** With a receive buffer fixed before connecting, so the window stays that small. */
    RawPeer(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        // Each message leaves in one write (every method flushes once): written field by field, a
        // message the layer rejects on its first byte met the layer's close half-way (Broken pipe).
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** Contact headers both ways, then SESS_INIT both ways, as the active side. */
    RawPeer handshake(int keepalive, String nodeId) throws IOException {
        contact(4, 0);
        readContact();
        sessInit(keepalive, 1 << 20, 1 << 24, nodeId, new byte[0]);
        expectSessInit();
        return this;
    }

    void contact(int version, int flags) throws IOException {
        out.write(new byte[] {'d', 't', 'n', '!', (byte) version, (byte) flags});
        out.flush();
    }

    int[] readContact() throws IOException {
        byte[] h = new byte[6];
        in.readFully(h);
        if (h[0] != 'd' || h[1] != 't' || h[2] != 'n' || h[3] != '!') {
            throw new IOException("bad magic from the layer");
        }
        return new int[] {h[4], h[5]};
    }

    void sessInit(int keepalive, long segMru, long xferMru, String nodeId, byte[] extensions) throws IOException {
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        out.writeByte(0x07);
        out.writeShort(keepalive);
        out.writeLong(segMru);
        out.writeLong(xferMru);
        out.writeShort(node.length);
        out.write(node);
        out.writeInt(extensions.length);
        out.write(extensions);
        out.flush();
    }

    /** Reads the layer's SESS_INIT; returns its node ID. */
    String expectSessInit() throws IOException {
        int type = in.readUnsignedByte();
        if (type != 0x07) {
            throw new IOException("expected SESS_INIT, got " + type);
        }
        in.readUnsignedShort();
        in.readLong();
        in.readLong();
        byte[] node = new byte[in.readUnsignedShort()];
        in.readFully(node);
        in.skipNBytes(in.readInt());
        return new String(node, StandardCharsets.UTF_8);
    }

    void segment(int flags, long tid, byte[] extensions, byte[] data) throws IOException {
        out.writeByte(0x01);
        out.writeByte(flags);
        out.writeLong(tid);
        if ((flags & 0x02) != 0) {
            out.writeInt(extensions.length);
            out.write(extensions);
        }
        out.writeLong(data.length);
        out.write(data);
        out.flush();
    }

    void raw(byte... bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    int u8() throws IOException {
        return in.readUnsignedByte();
    }

    long u64() throws IOException {
        return in.readLong();
    }

    /** Reads messages, answering nothing, until the layer closes; returns the bytes it sent. */
    byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
