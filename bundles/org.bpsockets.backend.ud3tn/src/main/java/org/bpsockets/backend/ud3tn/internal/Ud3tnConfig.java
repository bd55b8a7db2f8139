package org.bpsockets.backend.ud3tn.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "BP Sockets µD3TN backend",
        description = "Carries the sockets' bundles through a running µD3TN node (AAP 2.0). Configured in etc/org.bpsockets.backend.ud3tn.cfg.")
public @interface Ud3tnConfig {

    @AttributeDefinition(description = "µD3TN's AAP 2.0 socket: a UNIX socket path (µD3TN -S), or host:port where a node offers AAP 2.0 on TCP")
    String socket() default "/run/ud3tn/aap2.socket";

    @AttributeDefinition(description = "Keepalive interval asked of µD3TN and kept towards it, in seconds (0 = none)")
    int keepaliveSeconds() default 10;

    @AttributeDefinition(description = "No longer used (a warning says so if set): every ADU is answered as soon as it is read and held by the backend until the application takes it, since µD3TN drops a bundle not answered within 1 s and everything queued behind it")
    int ackWaitMillis() default 0;

    @AttributeDefinition(min = "1", description = "After an endpoint closes, how long its sending connection waits for µD3TN's answers to the sends already written before those still unanswered fail, in ms")
    int closeDrainMillis() default 10000;

    @AttributeDefinition(description = "ADUs the backend holds per endpoint for an application that is not taking them; beyond that it refuses them to µD3TN, which drops them")
    int holdLimit() default 4096;

    @AttributeDefinition(description = "Largest ADU sent or received, in bytes (µD3TN's own limit is 1 GiB)")
    long maxPayload() default 64L << 20;

    @AttributeDefinition(description = "The endpoint contact configuration is sent from (µD3TN accepts it only from its own node); empty: ipn:N.4094 or dtn://node/bpsockets-control")
    String controlEndpoint() default "";

    @AttributeDefinition(description = "Longest pause between attempts to reach µD3TN, in ms")
    int reconnectMaxMillis() default 5000;
}
