package org.bpsockets.netlink.internal;

import org.bpsockets.api.BpError;

/** Linux errno values of the protocol (docs/netlink-protocol.md) and the mapping from {@link BpError}. */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int ENOPROTOOPT = 92;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETUNREACH = 101;
    static final int ENOBUFS = 105;
    static final int ETIMEDOUT = 110;

    private Errno() {
    }

    static int of(BpError error) {
        switch (error) {
            case INVALID_ARGUMENT:
                return EINVAL;
            case NO_BACKEND:
                return ENETUNREACH;
            case OPTION_NOT_SUPPORTED:
                return EOPNOTSUPP;
            case UNKNOWN_OPTION:
                return ENOPROTOOPT;
            case ADDRESS_IN_USE:
                return EADDRINUSE;
            case ADDRESS_NOT_AVAILABLE:
                return EADDRNOTAVAIL;
            case MESSAGE_TOO_LONG:
                return EMSGSIZE;
            case NO_BUFFER_SPACE:
                return ENOBUFS;
            case TIMED_OUT:
                return ETIMEDOUT;
            case NO_SUCH_SOCKET:
                return ENOENT;
            case BACKEND_FAILURE:
            default:
                return EIO;
        }
    }
}
