package org.bpsockets.backend.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.bpsockets.api.eid.EndpointId;

/**
 * The embedded node's configuration ({@code etc/org.bpsockets.node.cfg}), checked value by value.
 * ConfigAdmin cannot refuse a value, and DS would turn "abc" for a number into its default without a
 * word; so the node reads the raw properties, refuses a configuration with any bad value (naming the
 * key, the value and what is valid), and keeps running with the last valid one, which it keeps in its
 * bundle's data area (docs/decisions/0012).
 */
record NodeConfiguration(EndpointId nodeId, String storage, String storePath, boolean syncToDisk, long maxBundleSize,
        long fragmentPayload, boolean statusReports, long maxStoredBytes, long minFreeDiskBytes, String router,
        boolean echo) {

    /** A configuration that was refused, with the reason. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    static final String PID = "org.bpsockets.node";

    static NodeConfiguration defaults() {
        return new NodeConfiguration(EndpointId.parse("ipn:1.0"), "mvstore", "", false, 64L << 20, 0, true,
                1L << 30, 64L << 20, "static", true);
    }

    /** Reads raw ConfigAdmin properties; absent keys take their defaults. */
    static NodeConfiguration of(Map<String, ?> raw) throws Invalid {
        NodeConfiguration d = defaults();
        String nodeText = text(raw, "nodeId", d.nodeId.toString());
        EndpointId nodeId;
        try {
            nodeId = EndpointId.parse(nodeText);
        } catch (IllegalArgumentException e) {
            throw invalid("nodeId", nodeText, "an ipn node ID such as ipn:1.0, or dtn://name/");
        }
        if (nodeId.isNull() || !nodeId.isNodeId()) {
            throw invalid("nodeId", nodeText, "a node ID: ipn:N.0 (service 0) or dtn://name/ (no demux)");
        }
        String storage = text(raw, "storage", d.storage).trim().toLowerCase(Locale.ROOT);
        if (!storage.equals("mvstore") && !storage.equals("memory")) {
            throw invalid("storage", storage, "mvstore (crash-safe file) or memory");
        }
        return new NodeConfiguration(nodeId, storage, text(raw, "storePath", d.storePath).trim(),
                bool(raw, "syncToDisk", d.syncToDisk), number(raw, "maxBundleSize", d.maxBundleSize, 1024),
                number(raw, "fragmentPayload", d.fragmentPayload, 0), bool(raw, "statusReports", d.statusReports),
                number(raw, "maxStoredBytes", d.maxStoredBytes, 1), number(raw, "minFreeDiskBytes", d.minFreeDiskBytes, 0),
                nonBlank(raw, "router", d.router), bool(raw, "echo", d.echo));
    }

    NodeSettings settings() {
        return new NodeSettings(nodeId, maxBundleSize, fragmentPayload, statusReports, maxStoredBytes, echo,
                "memory".equals(storage) ? 0 : minFreeDiskBytes);
    }

    private static Invalid invalid(String key, Object value, String valid) {
        return new Invalid(PID + ": " + key + " = '" + value + "' is not valid: use " + valid);
    }

    private static String text(Map<String, ?> raw, String key, String dflt) {
        Object v = raw.get(key);
        return v == null ? dflt : v.toString();
    }

    private static String nonBlank(Map<String, ?> raw, String key, String dflt) throws Invalid {
        // strip() and isBlank(), not trim(): a value of Unicode spaces (U+2003 ...) is blank too.
        String v = text(raw, key, dflt).strip();
        if (v.isBlank()) {
            throw invalid(key, v, "a router's name, e.g. " + dflt);
        }
        return v;
    }

    private static boolean bool(Map<String, ?> raw, String key, boolean dflt) throws Invalid {
        Object v = raw.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String t = v.toString().trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        throw invalid(key, v, "true or false");
    }

    private static long number(Map<String, ?> raw, String key, long dflt, long min) throws Invalid {
        Object v = raw.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        if (v instanceof Number num) {
            n = num.longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw invalid(key, v, "a whole number of bytes, " + min + " or more");
            }
        }
        if (n < min) {
            throw invalid(key, v, "a whole number of bytes, " + min + " or more");
        }
        return n;
    }

    // ---- the last valid configuration, kept across restarts ----

    void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("nodeId", nodeId.toString());
        p.setProperty("storage", storage);
        p.setProperty("storePath", storePath);
        p.setProperty("syncToDisk", Boolean.toString(syncToDisk));
        p.setProperty("maxBundleSize", Long.toString(maxBundleSize));
        p.setProperty("fragmentPayload", Long.toString(fragmentPayload));
        p.setProperty("statusReports", Boolean.toString(statusReports));
        p.setProperty("maxStoredBytes", Long.toString(maxStoredBytes));
        p.setProperty("minFreeDiskBytes", Long.toString(minFreeDiskBytes));
        p.setProperty("router", router);
        p.setProperty("echo", Boolean.toString(echo));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "The embedded node's last valid configuration (written by the node)");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The configuration saved by {@link #save}, or the defaults if there is none (or it is unreadable). */
    static NodeConfiguration load(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return defaults();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Map<String, ?> raw = (Map) p;
            return of(raw);
        } catch (IOException | Invalid e) {
            return defaults();
        }
    }
}
