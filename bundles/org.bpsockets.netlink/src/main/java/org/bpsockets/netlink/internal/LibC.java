package org.bpsockets.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls the bridge needs, bound by JNA direct mapping (no reflection per call). */
final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    static native int getsockname(int fd, byte[] address, int[] length) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    static native long send(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

    static native long recv(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}
