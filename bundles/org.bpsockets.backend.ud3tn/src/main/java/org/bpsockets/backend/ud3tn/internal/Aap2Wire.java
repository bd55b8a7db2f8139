package org.bpsockets.backend.ud3tn.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Welcome;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * One AAP 2.0 connection: the magic byte and the Welcome on connect, then varint-delimited protobuf
 * frames, each ADU's payload following its frame raw. One thread may read while another writes (a
 * SocketChannel allows that; the stream adapters of java.nio.channels.Channels do not).
 */
final class Aap2Wire implements AutoCloseable {

    static final int MAGIC = 0x2F;
    /** No AAP 2.0 frame we expect comes near this; a larger length means a desynchronised stream. */
    static final int MAX_FRAME = 64 * 1024;

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private final Welcome welcome;

    private Aap2Wire(SocketChannel channel) throws IOException {
        this.channel = channel;
        int magic = readByte();
        if (magic != MAGIC) {
            throw new IOException(String.format("not an AAP 2.0 server: first byte 0x%02x, expected 0x2f", magic));
        }
        AAPMessage first = AAPMessage.parseFrom(readFrame());
        if (!first.hasWelcome()) {
            throw new IOException("AAP 2.0 server sent " + first.getMsgCase() + " instead of a Welcome");
        }
        this.welcome = first.getWelcome();
    }

    /**
     * Connects to {@code address}: a UNIX socket path, or {@code host:port} for an agent on TCP.
     */
    static Aap2Wire connect(String address) throws IOException {
        SocketChannel ch = openChannel(address);
        try {
            return new Aap2Wire(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SocketChannel openChannel(String address) throws IOException {
        SocketAddress target = parseAddress(address);
        SocketChannel ch = SocketChannel.open(target instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                : ((InetSocketAddress) target).getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.connect(target);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to µD3TN's AAP 2.0 socket " + address + ": " + e.getMessage(), e);
        }
        return ch;
    }

    static SocketAddress parseAddress(String address) {
        if (address.startsWith("/") || address.startsWith(".")) {
            return UnixDomainSocketAddress.of(Path.of(address));
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("AAP 2.0 address '" + address
                    + "' is neither a UNIX socket path (starting with / or .) nor host:port");
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("AAP 2.0 address '" + address + "': port is not a number");
        }
        return new InetSocketAddress(host, port);
    }

    Welcome welcome() {
        return welcome;
    }

    /** Writes a message and, for an ADU, its payload right behind it. */
    void write(AAPMessage message, ByteBuffer payload) throws IOException {
        writeFrame(message.toByteArray(), payload);
    }

    void write(AAPResponse response) throws IOException {
        writeFrame(response.toByteArray(), null);
    }

    private void writeFrame(byte[] frame, ByteBuffer payload) throws IOException {
        byte[] head = new byte[CodedOutputStream.computeUInt32SizeNoTag(frame.length)];
        CodedOutputStream.newInstance(head).writeUInt32NoTag(frame.length);
        ByteBuffer[] parts = payload == null ? new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(frame)}
                : new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(frame), payload.duplicate()};
        long left = 0;
        for (ByteBuffer b : parts) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= channel.write(parts);
        }
    }

    AAPMessage readMessage() throws IOException {
        return AAPMessage.parseFrom(readFrame());
    }

    AAPResponse readResponse() throws IOException {
        return AAPResponse.parseFrom(readFrame());
    }

    /** The raw payload that follows an ADU frame. */
    byte[] readPayload(long length, long limit) throws IOException {
        // payload_length is a uint64: one of 2^63 or more is negative here (found by Aap2FuzzTest).
        if (length < 0 || length > limit) {
            throw new IOException("ADU of " + Long.toUnsignedString(length) + " bytes exceeds the limit of " + limit
                    + " bytes");
        }
        byte[] payload = new byte[(int) length];
        int got = Math.min(in.remaining(), payload.length);
        in.get(payload, 0, got);
        ByteBuffer rest = ByteBuffer.wrap(payload, got, payload.length - got);
        while (rest.hasRemaining()) {
            if (channel.read(rest) < 0) {
                throw new EOFException("µD3TN closed the connection inside an ADU payload");
            }
        }
        return payload;
    }

    private byte[] readFrame() throws IOException {
        int length = 0;
        for (int shift = 0;; shift += 7) {
            if (shift > 28) {
                throw new InvalidProtocolBufferException("AAP 2.0 frame length is not a valid varint");
            }
            int b = readByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("AAP 2.0 frame of " + length + " bytes: the stream is out of step");
        }
        byte[] frame = new byte[length];
        int off = 0;
        while (off < length) {
            fill();
            int n = Math.min(in.remaining(), length - off);
            in.get(frame, off, n);
            off += n;
        }
        return frame;
    }

    private int readByte() throws IOException {
        fill();
        return in.get() & 0xFF;
    }

    private void fill() throws IOException {
        if (in.hasRemaining()) {
            return;
        }
        in.clear();
        int n = channel.read(in);
        in.flip();
        if (n < 0) {
            throw new EOFException("µD3TN closed the AAP 2.0 connection");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
