package org.bpsockets.backend.embedded.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = "org.bpsockets.node", name = "BP Sockets embedded node",
        description = "The default backend: a BPv7 node inside the distribution.")
public @interface NodeConfig {

    @AttributeDefinition(name = "Node ID", description = "ipn:N.0 or dtn://name/")
    String nodeId() default "ipn:1.0";

    @AttributeDefinition(name = "Storage", description = "mvstore: bundles survive a crash of the node; "
            + "memory: they do not (tests, throughput measurements)", options = {
                @Option(label = "MVStore file (crash-safe)", value = "mvstore"),
                @Option(label = "Memory only", value = "memory")})
    String storage() default "mvstore";

    @AttributeDefinition(name = "Store file", description = "Empty: ${karaf.data}/bpnode/bundles.mv")
    String storePath() default "";

    @AttributeDefinition(name = "Sync to disk", description = "fsync every group commit: survive a power loss "
            + "too, at a cost in throughput (without it a kill -9 of the node loses nothing it acknowledged)")
    boolean syncToDisk() default false;

    @AttributeDefinition(name = "Maximum bundle size", description = "Bytes, encoded", min = "1024")
    long maxBundleSize() default 64L << 20;

    @AttributeDefinition(name = "Fragment payload", description = "Proactive fragmentation: send payloads larger "
            + "than this many bytes as fragments (0: only when a link cannot take the whole bundle)", min = "0")
    long fragmentPayload() default 0;

    @AttributeDefinition(name = "Status reports", description = "Send the status reports bundles ask for")
    boolean statusReports() default true;

    @AttributeDefinition(name = "Storage quota", description = "Bytes of bundles stored at most", min = "1")
    long maxStoredBytes() default 1L << 30;

    @AttributeDefinition(name = "Minimum free disk", description = "Bytes the store's file system keeps free: "
            + "bundles that would leave less are refused (applications get ENOBUFS)", min = "0")
    long minFreeDiskBytes() default 64L << 20;

    @AttributeDefinition(name = "Router", description = "Name of the router service to use (bp.router.name)")
    String router() default "static";

    @AttributeDefinition(name = "Echo agent", description = "Answer bundles sent to ipn:N.9002 (dtn://node/echo) "
            + "with their payload, for ping")
    boolean echo() default true;
}
