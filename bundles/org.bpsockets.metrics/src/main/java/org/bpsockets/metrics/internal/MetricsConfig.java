package org.bpsockets.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.bpsockets.metrics", name = "BP Sockets metrics",
        description = "The node's counters in the Prometheus text format over HTTP, and as JMX MBeans.")
public @interface MetricsConfig {

    @AttributeDefinition(name = "Listen address", description = "An IP address of this machine; 127.0.0.1 keeps "
            + "the endpoint to this machine")
    String address() default "127.0.0.1";

    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port (0: any free port)")
    int port() default 9556;

    @AttributeDefinition(name = "Path", description = "The HTTP path Prometheus scrapes")
    String path() default "/metrics";
}
