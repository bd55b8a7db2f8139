package org.bpsockets.socket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.SockaddrBp;
import org.bpsockets.api.option.SocketOptionNames;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * An AF_BP datagram socket (see bp(7)): one send is one bundle, one receive one ADU. Not thread-safe.
 *
 * <pre>
 * try (BpSocket s = BpSocket.open()) {
 *     s.bind(EndpointId.parse("ipn:!.7"));
 *     s.setOption(SocketOptionNames.BP_LIFETIME_MS, 3_600_000L);
 *     s.send(EndpointId.parse("ipn:2.1"), "hello".getBytes());
 *     BpSocket.Datagram d = s.receive(Duration.ofSeconds(10));
 * }
 * </pre>
 *
 * With {@code BP_RECVSTATUS} on, {@link #receiveStatus(Duration)} reads the socket's status records
 * (bp(7), STATUS REPORTS): which bundle each send became, and the status reports about it.
 *
 * <p>Errors are {@link BpSocketException}s carrying the errno bp(7) documents. A 64-bit JVM on Linux.
 */
public final class BpSocket implements AutoCloseable {

    /** The address family; the module's parameter {@code af} may move it (system property bp.af). */
    public static final int AF_BP = Integer.getInteger("bp.af", 28);
    /** Class of service values of {@code BP_CLASS_OF_SERVICE} (the names are in {@link SocketOptionNames}). */
    public static final int BP_COS_BULK = 0;
    public static final int BP_COS_NORMAL = 1;
    public static final int BP_COS_EXPEDITED = 2;

    private static final int SOCK_DGRAM = 2;
    private static final int MSG_PEEK = 0x02;
    private static final int MSG_TRUNC = 0x20;
    private static final short POLLIN = 1;
    private static final int MSG_ERRQUEUE = 0x2000;
    /** sizeof(struct bp_status), and of the struct msghdr and struct cmsghdr header of x86-64 Linux. */
    private static final int STATUS_SIZE = 184;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSGHDR_SIZE = 16;

    /** A received ADU and the endpoint that sent it. */
    public record Datagram(EndpointId source, byte[] payload) {
    }

    /**
     * A status record (struct bp_status).
     *
     * @param status BP_STATUS_ACCEPTED, BP_STATUS_FAILED, or BP_REPORT_* bits a status report asserts
     * @param sendId the socket's send number, or {@link #SEND_ID_NONE} where the node did not know it
     * @param creationTime the bundle's creation time (DTN ms; 0 if the backend did not say)
     * @param sequence the bundle's creation sequence number
     * @param time when the reported event happened (DTN ms), 0 if not said
     * @param fragmentOffset the fragment's offset, if fragmentLength is not 0
     * @param fragmentLength the fragment's length, 0 for a whole bundle
     * @param reason the status report's reason code
     * @param errno why a BP_STATUS_FAILED send was refused
     * @param source the bundle's source endpoint
     * @param reporter the node that reported, or null for the module's own records
     */
    public record Status(int status, long sendId, long creationTime, long sequence, long time, long fragmentOffset,
            long fragmentLength, int reason, int errno, EndpointId source, EndpointId reporter) {
        public static final long SEND_ID_NONE = 0xffffffffL;
    }

    private int fd;

    private BpSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket; fails with EAFNOSUPPORT when the bp module is not loaded. */
    public static BpSocket open() throws BpSocketException {
        try {
            return new BpSocket(LibC.socket(AF_BP, SOCK_DGRAM, 0));
        } catch (LastErrorException e) {
            throw new BpSocketException("socket", e.getErrorCode());
        }
    }

    public void bind(EndpointId endpoint) throws BpSocketException {
        byte[] a = address(endpoint);
        try {
            LibC.bind(fd, a, a.length);
        } catch (LastErrorException e) {
            throw new BpSocketException("bind " + endpoint, e.getErrorCode());
        }
    }

    /** Sets the default destination, so {@link #send(byte[])} works. */
    public void connect(EndpointId destination) throws BpSocketException {
        byte[] a = address(destination);
        try {
            LibC.connect(fd, a, a.length);
        } catch (LastErrorException e) {
            throw new BpSocketException("connect " + destination, e.getErrorCode());
        }
    }

    /** The endpoint the socket is bound to (the node's number for {@code ipn:!.S}). */
    public EndpointId localEndpoint() throws BpSocketException {
        byte[] a = new byte[SockaddrBp.MAX_LENGTH];
        int[] len = {a.length};
        try {
            LibC.getsockname(fd, a, len);
        } catch (LastErrorException e) {
            throw new BpSocketException("getsockname", e.getErrorCode());
        }
        return SockaddrBp.decode(ByteBuffer.wrap(a, 0, len[0]));
    }

    /**
     * A SOL_BP option ({@link SocketOptionNames}) with an integer value: BP_LIFETIME_MS is 64-bit, the
     * others int.
     */
    public void setOption(int name, long value) throws BpSocketException {
        boolean wide = name == SocketOptionNames.BP_LIFETIME_MS;
        ByteBuffer b = ByteBuffer.allocate(wide ? 8 : 4).order(ByteOrder.nativeOrder());
        if (wide) {
            b.putLong(value);
        } else {
            b.putInt(Math.toIntExact(value));
        }
        setOption(name, b.array());
    }

    /** {@code BP_REPORT_TO}: where status reports go. */
    public void setOption(int name, EndpointId value) throws BpSocketException {
        setOption(name, address(value));
    }

    private void setOption(int name, byte[] raw) throws BpSocketException {
        try {
            LibC.setsockopt(fd, SocketOptionNames.SOL_BP, name, raw, raw.length);
        } catch (LastErrorException e) {
            throw new BpSocketException("setsockopt " + name, e.getErrorCode());
        }
    }

    public void send(EndpointId destination, byte[] payload) throws BpSocketException {
        byte[] a = address(destination);
        try {
            LibC.sendto(fd, payload, payload.length, 0, a, a.length);
        } catch (LastErrorException e) {
            throw new BpSocketException("send to " + destination, e.getErrorCode());
        }
    }

    /** Sends to the connected destination. */
    public void send(byte[] payload) throws BpSocketException {
        try {
            LibC.sendto(fd, payload, payload.length, 0, null, 0);
        } catch (LastErrorException e) {
            throw new BpSocketException("send", e.getErrorCode());
        }
    }

    /**
     * The next ADU, whole (its size is read first with MSG_PEEK|MSG_TRUNC).
     *
     * @param timeout null to wait for ever
     * @throws SocketTimeoutException when nothing arrived in time
     */
    public Datagram receive(Duration timeout) throws IOException {
        if (timeout != null) {
            PollFd p = new PollFd();
            p.fd = fd;
            p.events = POLLIN;
            int ready;
            try {
                ready = LibC.poll(p, 1, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            } catch (LastErrorException e) {
                throw new BpSocketException("poll", e.getErrorCode());
            }
            if (ready == 0) {
                throw new SocketTimeoutException("no bundle within " + timeout);
            }
        }
        try {
            int size = (int) LibC.recv(fd, new byte[1], 1, MSG_PEEK | MSG_TRUNC);
            byte[] buf = new byte[Math.max(1, size)];
            byte[] a = new byte[SockaddrBp.MAX_LENGTH];
            int[] len = {a.length};
            int n = (int) LibC.recvfrom(fd, buf, buf.length, 0, a, len);
            byte[] payload = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
            return new Datagram(SockaddrBp.decode(ByteBuffer.wrap(a, 0, len[0])), payload);
        } catch (LastErrorException e) {
            throw new BpSocketException("receive", e.getErrorCode());
        }
    }

    /**
     * The next status record; {@code BP_RECVSTATUS} must be on.
     *
     * @param timeout null to wait for ever
     * @throws SocketTimeoutException when none came in time
     */
    public Status receiveStatus(Duration timeout) throws IOException {
        PollFd p = new PollFd();
        p.fd = fd;
        p.events = 0; // POLLERR is reported whatever the events
        try {
            if (LibC.poll(p, 1, timeout == null ? -1 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())) == 0) {
                throw new SocketTimeoutException("no status record within " + timeout);
            }
        } catch (LastErrorException e) {
            throw new BpSocketException("poll", e.getErrorCode());
        }
        try (Memory msg = new Memory(MSGHDR_SIZE); Memory name = new Memory(SockaddrBp.MAX_LENGTH);
                Memory control = new Memory(256)) {
            msg.clear();
            msg.setPointer(0, name);
            msg.setInt(8, SockaddrBp.MAX_LENGTH);
            msg.setPointer(32, control);
            msg.setLong(40, control.size());
            try {
                LibC.recvmsg(fd, msg, MSG_ERRQUEUE);
            } catch (LastErrorException e) {
                throw new BpSocketException("receive a status record", e.getErrorCode());
            }
            if (control.getLong(0) != CMSGHDR_SIZE + STATUS_SIZE || control.getInt(8) != SocketOptionNames.SOL_BP
                    || control.getInt(12) != SocketOptionNames.BP_RECVSTATUS) {
                throw new BpSocketException("not a BP status record", 74); // EBADMSG
            }
            ByteBuffer st = control.getByteBuffer(CMSGHDR_SIZE, STATUS_SIZE).order(ByteOrder.nativeOrder());
            int nameLength = msg.getInt(8);
            EndpointId reporter = nameLength == 0 ? null
                    : SockaddrBp.decode(name.getByteBuffer(0, nameLength).order(ByteOrder.nativeOrder()));
            return new Status(st.getInt(0), Integer.toUnsignedLong(st.getInt(4)), st.getLong(8), st.getLong(16),
                    st.getLong(24), st.getLong(32), st.getLong(40), st.getInt(48), st.getInt(52),
                    SockaddrBp.decode(st.slice(56, STATUS_SIZE - 56)), reporter);
        }
    }

    /** The file descriptor, for poll/select loops. */
    public int fileDescriptor() {
        return fd;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            try {
                LibC.close(fd);
            } catch (LastErrorException e) {
                // closed anyway
            }
            fd = -1;
        }
    }

    private static byte[] address(EndpointId eid) {
        ByteBuffer b = SockaddrBp.encode(eid, AF_BP);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /** struct pollfd. */
    public static final class PollFd extends Structure {
        public int fd;
        public short events;
        public short revents;

        @Override
        protected java.util.List<String> getFieldOrder() {
            return java.util.List.of("fd", "events", "revents");
        }
    }

    /** libc, bound by JNA direct mapping. */
    static final class LibC {
        static {
            Native.register(LibC.class, Platform.C_LIBRARY_NAME);
        }

        private LibC() {
        }

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int bind(int fd, byte[] address, int length) throws LastErrorException;

        static native int connect(int fd, byte[] address, int length) throws LastErrorException;

        static native int getsockname(int fd, byte[] address, int[] length) throws LastErrorException;

        static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

        static native long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength)
                throws LastErrorException;

        static native long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

        static native long recvfrom(int fd, byte[] buffer, long length, int flags, byte[] address, int[] addressLength)
                throws LastErrorException;

        static native int poll(PollFd fds, int count, int timeoutMillis) throws LastErrorException;

        static native long recvmsg(int fd, Pointer msghdr, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }
}
