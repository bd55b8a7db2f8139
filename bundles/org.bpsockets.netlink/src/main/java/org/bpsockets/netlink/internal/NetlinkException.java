package org.bpsockets.netlink.internal;

import java.io.IOException;

/** A failed netlink call, with its errno. */
final class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    final int errno;

    NetlinkException(String what, int errno) {
        super(what + ": errno " + errno + " (" + describe(errno) + ")");
        this.errno = errno;
    }

    NetlinkException(String what, int errno, String extack) {
        super(what + ": errno " + errno + " (" + describe(errno) + ")" + (extack == null ? "" : ": " + extack));
        this.errno = errno;
    }

    static String describe(int errno) {
        switch (errno) {
            case Errno.EPERM:
                return "operation not permitted";
            case Errno.ENOENT:
                return "no such entry";
            case Errno.EBUSY:
                return "busy";
            case Errno.EINVAL:
                return "invalid argument";
            case Errno.ENOBUFS:
                return "no buffer space";
            case Errno.EPROTONOSUPPORT:
                return "protocol not supported";
            default:
                return "see errno(3)";
        }
    }
}
