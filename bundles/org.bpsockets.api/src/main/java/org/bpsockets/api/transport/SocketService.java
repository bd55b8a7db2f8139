package org.bpsockets.api.transport;

import org.osgi.annotation.versioning.ProviderType;

/** The registry's door for transports: a transport attaches once and then reports through its session. */
@ProviderType
public interface SocketService {

    /** Starts a session for a transport; its sockets are known to the registry until the session closes. */
    TransportSession attach(SocketTransport transport);
}
