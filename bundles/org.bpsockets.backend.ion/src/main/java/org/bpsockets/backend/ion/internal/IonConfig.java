package org.bpsockets.backend.ion.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "BP Sockets ION backend",
        description = "Carries the sockets' bundles through a running ION node (libbp). Configured in etc/org.bpsockets.backend.ion.cfg.")
public @interface IonConfig {

    @AttributeDefinition(description = "libbp: a file name the dynamic loader finds, or a full path (e.g. /usr/local/lib/libbp.so.0)")
    String bpLibrary() default "libbp.so.0";

    @AttributeDefinition(description = "libici: a file name the dynamic loader finds, or a full path")
    String iciLibrary() default "libici.so.0";

    @AttributeDefinition(description = "ION_NODE_LIST_DIR for multi-node machines; empty: ION's single-node default")
    String nodeListDir() default "";

    @AttributeDefinition(description = "The ION node's working directory (ION_NODE_WDNAME), with nodeListDir")
    String nodeDirectory() default "";

    @AttributeDefinition(description = "Declare the endpoints sockets bind, and automatically bound sources, in ION when ION does not"
            + " know them (libbp's addEndpoint, like bpadmin's 'a endpoint EID q'). Those of explicit binds stay declared,"
            + " so bundles for them queue in ION while no socket is bound; those of automatic binds (services 65536 and up)"
            + " are removed again when their socket closes, unless bundles are queued there. false: every endpoint must be"
            + " declared in ION beforehand, and a bind of an undeclared one fails with EADDRNOTAVAIL")
    boolean addEndpoints() default true;

    @AttributeDefinition(description = "Seconds between attempts to attach while ION is not running")
    int retrySeconds() default 5;

    @AttributeDefinition(description = "Largest ADU sent or received, in bytes")
    long maxPayload() default 64L << 20;
}
