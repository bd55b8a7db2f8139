package org.bpsockets.netlink.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.bpsockets.netlink", name = "BP Sockets Netlink bridge",
        description = "How the node serves the AF_BP kernel module's sockets.")
public @interface KernelConfig {

    @AttributeDefinition(name = "Window", min = "65536",
            description = "Bytes of requests (sends, binds) the kernel may have outstanding at the node.")
    int window() default 4 << 20;

    @AttributeDefinition(name = "Receive buffer", min = "65536",
            description = "Netlink receive buffer of the node, in bytes; above the window.")
    int receiveBuffer() default 16 << 20;

    @AttributeDefinition(name = "Send buffer", min = "65536",
            description = "Netlink send buffer of the node, in bytes; raised to twice the module's max payload.")
    int sendBuffer() default 4 << 20;

    @AttributeDefinition(name = "Retry interval", min = "1",
            description = "Seconds between attempts to register while the module refuses (e.g. no CAP_NET_ADMIN).")
    int retrySeconds() default 5;
}
