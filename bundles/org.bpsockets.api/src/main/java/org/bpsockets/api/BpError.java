package org.bpsockets.api;

/**
 * Why an operation on a socket, an endpoint or a bundle failed. Transports turn these into their own
 * error codes; the kernel transport's errno for each is given here and in docs/netlink-protocol.md.
 */
public enum BpError {
    /** A malformed endpoint ID, option value or request (EINVAL). */
    INVALID_ARGUMENT,
    /** The node has no backend that can carry bundles now (ENETUNREACH). */
    NO_BACKEND,
    /** The active backend cannot honour a requested bundle option (EOPNOTSUPP). */
    OPTION_NOT_SUPPORTED,
    /** No extension handles this socket option (ENOPROTOOPT). */
    UNKNOWN_OPTION,
    /** The endpoint is already registered by someone else (EADDRINUSE). */
    ADDRESS_IN_USE,
    /** The endpoint cannot be registered on this node (EADDRNOTAVAIL). */
    ADDRESS_NOT_AVAILABLE,
    /** The payload is larger than the node or backend accepts (EMSGSIZE). */
    MESSAGE_TOO_LONG,
    /** The backend's storage is full; retry later (ENOBUFS). */
    NO_BUFFER_SPACE,
    /** The backend did not answer in time (ETIMEDOUT). */
    TIMED_OUT,
    /** The backend failed in a way the application cannot fix (EIO). */
    BACKEND_FAILURE,
    /** The socket is not known to the node (ENOENT). */
    NO_SUCH_SOCKET
}
