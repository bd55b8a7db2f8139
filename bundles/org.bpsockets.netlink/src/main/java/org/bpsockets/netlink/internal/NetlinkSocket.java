package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A Generic Netlink socket. Sends are serialised (any thread may send); only one thread may receive.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final int MSG_TRUNC = 0x20;
    private final int fd;
    private final int portId;
    private final Object sendLock = new Object();
    private volatile boolean closed;

    private NetlinkSocket(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /**
     * Opens and binds a socket with an automatic port id.
     *
     * @param receiveBuffer bytes of receive buffer to force (needs CAP_NET_ADMIN; 0 keeps the default)
     * @param sendBuffer bytes of send buffer to force (0 keeps the default)
     * @param receiveTimeoutMillis how long a receive waits before it returns nothing (0: forever)
     */
    static NetlinkSocket open(int receiveBuffer, int sendBuffer, int receiveTimeoutMillis) throws NetlinkException {
        int fd;
        try {
            fd = LibC.socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC, Netlink.NETLINK_GENERIC);
        } catch (LastErrorException e) {
            throw new NetlinkException("socket(AF_NETLINK)", e.getErrorCode());
        }
        try {
            byte[] address = new byte[12];
            ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).putShort(0, (short) Netlink.AF_NETLINK);
            LibC.bind(fd, address, address.length);
            int[] length = {address.length};
            LibC.getsockname(fd, address, length);
            int portId = ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).getInt(4);
            NetlinkSocket socket = new NetlinkSocket(fd, portId);
            socket.setInt(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            socket.setInt(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            if (receiveBuffer > 0) {
                socket.setBuffer(Netlink.SO_RCVBUFFORCE, Netlink.SO_RCVBUF, receiveBuffer);
            }
            if (sendBuffer > 0) {
                socket.setBuffer(Netlink.SO_SNDBUFFORCE, Netlink.SO_SNDBUF, sendBuffer);
            }
            if (receiveTimeoutMillis > 0) {
                byte[] timeval = new byte[16];
                ByteBuffer.wrap(timeval).order(ByteOrder.nativeOrder()).putLong(0, receiveTimeoutMillis / 1000)
                        .putLong(8, (receiveTimeoutMillis % 1000) * 1000L);
                LibC.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVTIMEO, timeval, timeval.length);
            }
            return socket;
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new NetlinkException("configuring the netlink socket", e.getErrorCode());
        } catch (NetlinkException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private void setBuffer(int forced, int plain, int bytes) throws NetlinkException {
        try {
            setInt(Netlink.SOL_SOCKET, forced, bytes, "SO_*BUFFORCE");
        } catch (NetlinkException e) {
            // Without CAP_NET_ADMIN the forced size is refused; the capped one is better than none.
            setInt(Netlink.SOL_SOCKET, plain, bytes, "SO_*BUF");
        }
    }

    void setInt(int level, int name, int value, String what) throws NetlinkException {
        byte[] v = new byte[4];
        ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).putInt(0, value);
        try {
            LibC.setsockopt(fd, level, name, v, v.length);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt " + what, e.getErrorCode());
        }
    }

    void joinGroup(int group) throws NetlinkException {
        setInt(Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP");
    }

    int portId() {
        return portId;
    }

    /** Sends the bytes between position and limit of a direct buffer: one or more messages. */
    void send(ByteBuffer messages) throws NetlinkException {
        Pointer p = Native.getDirectBufferPointer(messages).share(messages.position());
        synchronized (sendLock) {
            if (closed) {
                throw new NetlinkException("send on a closed socket", Errno.EIO);
            }
            try {
                LibC.send(fd, p, messages.remaining(), 0);
            } catch (LastErrorException e) {
                throw new NetlinkException("send", e.getErrorCode());
            }
        }
    }

    /**
     * Receives one datagram into a direct buffer (from position 0; limit set to its length).
     *
     * @return false if the receive timeout expired with nothing to read
     * @throws NetlinkException ENOBUFS if messages were lost because the receive buffer overflowed
     */
    boolean receive(ByteBuffer into) throws NetlinkException {
        into.clear();
        long n;
        try {
            n = LibC.recv(fd, Native.getDirectBufferPointer(into), into.capacity(), MSG_TRUNC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN || e.getErrorCode() == Errno.EINTR) {
                return false;
            }
            throw new NetlinkException("recv", e.getErrorCode());
        }
        if (n > into.capacity()) {
            throw new NetlinkException("recv: a datagram of " + n + " bytes did not fit the " + into.capacity()
                    + "-byte buffer", Errno.EMSGSIZE);
        }
        into.limit((int) n);
        return true;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (sendLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeQuietly(fd);
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing more to do with a descriptor we are giving up
        }
    }
}
