package org.bpsockets.cla.tcpclv3.internal;

import java.io.ByteArrayOutputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.bpsockets.cla.common.Sdnv;

/** A TCPCLv3 peer written byte by byte from RFC 7242: behaves like ION or µD3TN as a test needs. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    int layerFlags;
    int layerKeepalive;
    String layerEid;

    RawPeer(int port) throws IOException {
        this(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    RawPeer(Socket s) throws IOException {
        socket = s;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        // Each message leaves in one write (every method flushes once), as a real peer sends it.
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** µD3TN: flags 0, keepalive 0. */
    RawPeer likeUd3tn(String eid) throws IOException {
        return contact(0, 0, eid);
    }

    /** ION: acknowledgements, keepalive 15. */
    RawPeer likeIon(String eid) throws IOException {
        return contact(0x01, 15, eid);
    }

    RawPeer contact(int flags, int keepalive, String eid) throws IOException {
        sendContact(3, flags, keepalive, eid);
        readContact();
        return this;
    }

    void sendContact(int version, int flags, int keepalive, String eid) throws IOException {
        byte[] e = eid.getBytes(StandardCharsets.US_ASCII);
        out.write(new byte[] {'d', 't', 'n', '!', (byte) version, (byte) flags});
        out.writeShort(keepalive);
        out.write(Sdnv.encode(e.length));
        out.write(e);
        out.flush();
    }

    void readContact() throws IOException {
        byte[] h = new byte[8];
        in.readFully(h);
        if (h[0] != 'd' || h[1] != 't' || h[2] != 'n' || h[3] != '!' || h[4] != 3) {
            throw new IOException("bad contact header from the layer");
        }
        layerFlags = h[5];
        layerKeepalive = ((h[6] & 0xFF) << 8) | (h[7] & 0xFF);
        byte[] eid = new byte[(int) sdnv()];
        in.readFully(eid);
        layerEid = new String(eid, StandardCharsets.US_ASCII);
    }

    long sdnv() throws IOException {
        long v = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            v = (v << 7) | (b & 0x7F);
        } while ((b & 0x80) != 0);
        return v;
    }

    void segment(boolean start, boolean end, byte[] data) throws IOException {
        out.write(0x10 | (start ? 2 : 0) | (end ? 1 : 0));
        out.write(Sdnv.encode(data.length));
        out.write(data);
        out.flush();
    }

    void ack(long length) throws IOException {
        out.write(0x20);
        out.write(Sdnv.encode(length));
        out.flush();
    }

    void raw(byte... bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one DATA_SEGMENT the layer sent; checks it is a whole bundle (S and E). */
    byte[] readBundle() throws IOException {
        int h = in.readUnsignedByte();
        if (h != 0x13) {
            throw new IOException(String.format("expected a single-segment bundle (0x13), got 0x%02x", h));
        }
        byte[] data = new byte[(int) sdnv()];
        in.readFully(data);
        return data;
    }

    /** Reads an ACK_SEGMENT; returns its length. */
    long readAck() throws IOException {
        int h = in.readUnsignedByte();
        if (h != 0x20) {
            throw new IOException(String.format("expected ACK_SEGMENT (0x20), got 0x%02x", h));
        }
        return sdnv();
    }

    int u8() throws IOException {
        return in.readUnsignedByte();
    }

    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
