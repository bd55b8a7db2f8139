package org.bpsockets.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.bpsockets.registry", name = "BP Sockets registry",
        description = "Which backend carries the node's bundles, and how deliveries flow to sockets.")
public @interface RegistryConfig {

    @AttributeDefinition(name = "Preferred backend",
            description = "Name of the backend to use when several are installed (embedded, ion, ud3tn). "
                    + "If it is absent, or empty, the backend with the highest service ranking is used.")
    String preferredBackend() default "embedded";

    @AttributeDefinition(name = "Delivery window", min = "1", max = "65536",
            description = "Most deliveries a backend may have unacknowledged per endpoint.")
    int deliveryWindow() default 64;

    @AttributeDefinition(name = "Socket pipeline", min = "1", max = "1024",
            description = "Most deliveries handed to a socket's transport before it answered.")
    int socketPipeline() default 16;

    @AttributeDefinition(name = "Duplicate memory", min = "0", max = "1000000",
            description = "How many recently delivered bundle IDs each socket remembers, to recognise a "
                    + "bundle a backend delivers again after a swap.")
    int duplicateMemory() default 4096;

    @AttributeDefinition(name = "Re-open interval", min = "1", max = "3600",
            description = "Seconds between attempts to open again the endpoints the active backend could "
                    + "not open (for example while its node is not running).")
    int reopenSeconds() default 2;

    @AttributeDefinition(name = "Swap wait", min = "0", max = "3600",
            description = "While a backend or an option extension is replaced (updated, refreshed, its "
                    + "feature reinstalled), how many seconds a send already accepted from a socket waits for "
                    + "the new one before it fails with 'no backend' or 'unknown option'. 0: it fails at once.")
    int swapWaitSeconds() default 60;
}
