"""AF_BP sockets for Python: send and receive DTN bundles through the BP Sockets kernel module.

    from bpsocket import BpSocket, BP_LIFETIME_MS
    with BpSocket() as s:
        s.bind("ipn:!.7")
        s.setsockopt(BP_LIFETIME_MS, 3600_000)
        s.sendto(b"hello", "ipn:2.1")
        payload, source = s.recvfrom(timeout=10)

With BP_RECVSTATUS on, recv_status() reads the socket's status records (bp(7), STATUS REPORTS): which
bundle each send became, and the status reports about it.

Python's socket module cannot build addresses of a family it does not know, so the calls go to libc
through ctypes; errors are OSError with the errno bp(7) documents, bad EID text is ValueError.
"""

import collections
import ctypes
import ctypes.util
import errno
import os
import re
import select
import struct

AF_BP = int(os.environ.get("BP_AF", "28"))
SOL_BP = 299
SOCK_DGRAM = 2

BP_SCHEME_IPN = 1
BP_SCHEME_DTN = 2
BP_IPN_LOCAL_NODE = 0xFFFFFFFF
BP_DTN_EID_MAX = 120

BP_LIFETIME_MS = 1
BP_CLASS_OF_SERVICE = 2
BP_ORDINAL = 3
BP_STATUS_REPORTS = 4
BP_REPORT_TO = 5
BP_CUSTODY = 6
BP_HOP_LIMIT = 7
BP_MUST_NOT_FRAGMENT = 8
BP_APP_ACK = 9

BP_RECVSTATUS = 128

BP_COS_BULK, BP_COS_NORMAL, BP_COS_EXPEDITED = 0, 1, 2
BP_REPORT_RECEPTION, BP_REPORT_FORWARDING, BP_REPORT_DELIVERY, BP_REPORT_DELETION = 1, 2, 4, 8

BP_STATUS_ACCEPTED, BP_STATUS_FAILED = 0x100, 0x200
BP_SEND_ID_NONE = 0xFFFFFFFF

_U64_OPTIONS = {BP_LIFETIME_MS}
_MSG_ERRQUEUE = 0x2000
# struct bp_status: status, send id, creation time, sequence, time, fragment offset and length,
# reason, errno, then the source's struct sockaddr_bp (128 bytes): 184 bytes.
_STATUS = struct.Struct("=IIQQQQQIi128s")
_U32 = 0xFFFFFFFF

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class _SockaddrBp(ctypes.Structure):
    _fields_ = [("family", ctypes.c_uint16), ("reserved", ctypes.c_uint16), ("scheme", ctypes.c_uint32),
                ("addr", ctypes.c_char * BP_DTN_EID_MAX)]


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(_Iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


Status = collections.namedtuple("Status", "status send_id creation_time sequence time frag_offset frag_length "
                                           "reason errno source reporter")
Status.__doc__ = """A status record: what `status` says (BP_STATUS_ACCEPTED, BP_STATUS_FAILED or BP_REPORT_* bits)
about the bundle (source, creation_time, sequence); `reporter` is the reporting node's EID (None for the
module's own records), `errno` the reason of a BP_STATUS_FAILED."""


def _check(result):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def eid_to_sockaddr(text):
    """The struct sockaddr_bp of an EID and its length; ValueError names what is wrong."""
    addr = _SockaddrBp()
    addr.family = AF_BP
    if text.startswith("dtn:"):
        if text != "dtn:none" and not text.startswith("dtn://"):
            raise ValueError("%r is not a dtn EID: it is dtn://node/demux or dtn:none" % text)
        raw = text.encode("ascii")
        if len(raw) >= BP_DTN_EID_MAX:
            raise ValueError("%r is longer than %d bytes" % (text, BP_DTN_EID_MAX - 1))
        addr.scheme = BP_SCHEME_DTN
        addr.addr = raw
        return addr, 8 + len(raw) + 1
    m = re.fullmatch(r"ipn:(?:(\d+)\.)?(\d+|!)\.(\d+)", text)
    if not m:
        raise ValueError("%r is not an EID: ipn:node.service, ipn:!.service or dtn://node/demux" % text)
    allocator, node, service = m.groups()
    if node == "!" and allocator is not None:
        raise ValueError("%r: the local node form has no allocator" % text)
    numbers = [int(allocator or 0), _U32 if node == "!" else int(node), int(service)]
    if any(n > _U32 for n in numbers):
        raise ValueError("%r: each part of an ipn EID is 0..4294967295" % text)
    addr.scheme = BP_SCHEME_IPN
    ctypes.memmove(ctypes.addressof(addr) + 8, struct.pack("=III", numbers[1], numbers[2], numbers[0]), 12)
    return addr, 20 if numbers[0] else 16


def sockaddr_to_eid(addr, length):
    """EID text of an address the kernel returned."""
    if addr.scheme == BP_SCHEME_DTN:
        return ctypes.string_at(ctypes.addressof(addr) + 8, length - 8).split(b"\0")[0].decode("ascii")
    node, service, allocator = struct.unpack("=III", ctypes.string_at(ctypes.addressof(addr) + 8, 12))
    if length >= 20 and allocator:
        return "ipn:%d.%d.%d" % (allocator, node, service)
    if node == BP_IPN_LOCAL_NODE:
        return "ipn:!.%d" % service
    return "ipn:%d.%d" % (node, service)


class BpSocket:
    """A datagram socket of family AF_BP; one send is one bundle, one receive one ADU."""

    def __init__(self):
        self._fd = _check(_libc.socket(AF_BP, SOCK_DGRAM, 0))

    def fileno(self):
        return self._fd

    def bind(self, eid):
        addr, length = eid_to_sockaddr(eid)
        _check(_libc.bind(self._fd, ctypes.byref(addr), length))

    def connect(self, eid):
        addr, length = eid_to_sockaddr(eid)
        _check(_libc.connect(self._fd, ctypes.byref(addr), length))

    def getsockname(self):
        addr, length = _SockaddrBp(), ctypes.c_uint32(ctypes.sizeof(_SockaddrBp))
        _check(_libc.getsockname(self._fd, ctypes.byref(addr), ctypes.byref(length)))
        return sockaddr_to_eid(addr, length.value)

    def setsockopt(self, name, value):
        """A SOL_BP option: an int, an EID (BP_REPORT_TO) or raw bytes."""
        if name == BP_REPORT_TO and isinstance(value, str):
            addr, length = eid_to_sockaddr(value)
            raw = ctypes.string_at(ctypes.addressof(addr), length)
        elif isinstance(value, int):
            raw = struct.pack("=Q" if name in _U64_OPTIONS else "=i", value)
        else:
            raw = bytes(value)
        _check(_libc.setsockopt(self._fd, SOL_BP, name, raw, len(raw)))

    def sendto(self, data, eid):
        addr, length = eid_to_sockaddr(eid)
        data = bytes(data)
        return _check(_libc.sendto(self._fd, data, len(data), 0, ctypes.byref(addr), length))

    def send(self, data):
        data = bytes(data)
        return _check(_libc.send(self._fd, data, len(data), 0))

    def recvfrom(self, bufsize=None, timeout=None):
        """The next ADU and its source EID; socket.timeout-like TimeoutError after timeout seconds."""
        if timeout is not None and not select.select([self._fd], [], [], timeout)[0]:
            raise TimeoutError("no bundle within %s s" % timeout)
        if bufsize is None:
            # MSG_PEEK | MSG_TRUNC says how long the next ADU is, so none is cut short.
            probe = ctypes.create_string_buffer(1)
            bufsize = max(1, _check(_libc.recv(self._fd, probe, 1, 0x02 | 0x20)))
        buf = ctypes.create_string_buffer(bufsize)
        addr, length = _SockaddrBp(), ctypes.c_uint32(ctypes.sizeof(_SockaddrBp))
        n = _check(_libc.recvfrom(self._fd, buf, bufsize, 0, ctypes.byref(addr), ctypes.byref(length)))
        return buf.raw[:n], sockaddr_to_eid(addr, length.value)

    def recv_status(self, timeout=None):
        """The next status record (BP_RECVSTATUS must be on); TimeoutError if none comes in time."""
        poller = select.poll()
        poller.register(self._fd, 0)  # POLLERR is reported whatever the events
        if not poller.poll(None if timeout is None else int(timeout * 1000)):
            raise TimeoutError("no status record within %s s" % timeout)
        addr = _SockaddrBp()
        control = ctypes.create_string_buffer(256)
        msg = _Msghdr(ctypes.cast(ctypes.byref(addr), ctypes.c_void_p), ctypes.sizeof(addr), None, 0,
                      ctypes.cast(control, ctypes.c_void_p), len(control), 0)
        _check(_libc.recvmsg(self._fd, ctypes.byref(msg), _MSG_ERRQUEUE))
        # struct cmsghdr: size_t length, int level, int type, then the data (8-aligned).
        length, level, kind = struct.unpack_from("=Qii", control.raw, 0)
        if level != SOL_BP or kind != BP_RECVSTATUS or length != 16 + _STATUS.size:
            raise OSError(errno.EBADMSG, "not a BP status record")
        fields = _STATUS.unpack_from(control.raw, 16)
        source = _SockaddrBp.from_buffer_copy(fields[9][:ctypes.sizeof(_SockaddrBp)])
        reporter = sockaddr_to_eid(addr, msg.namelen) if msg.namelen else None
        return Status(*fields[:9], sockaddr_to_eid(source, ctypes.sizeof(source)), reporter)

    def close(self):
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = [n for n in dir() if n.startswith(("BP_", "AF_", "SOL_"))] + ["BpSocket", "Status", "eid_to_sockaddr",
                                                                         "sockaddr_to_eid"]
