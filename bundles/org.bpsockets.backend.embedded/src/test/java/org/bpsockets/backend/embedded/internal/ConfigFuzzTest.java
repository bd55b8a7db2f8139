package org.bpsockets.backend.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz targets (Jazzer) for the embedded node's configuration parsers: what ConfigAdmin
 * hands the node from a (hand-edited) file in etc/, and what the shell passes on for links, routes and
 * contacts. A refusal ({@link NodeConfiguration.Invalid}, or ConfigChecks' IllegalArgumentException) passes;
 * any other exception, or an accepted value breaking its documented range, is a finding. Under
 * {@code mvn install} they run their committed inputs only; {@code tools/fuzz backend.embedded} fuzzes them.
 */
class ConfigFuzzTest {
    static final List<String> KEYS = List.of("nodeId", "storage", "storePath", "syncToDisk", "maxBundleSize",
            "fragmentPayload", "statusReports", "maxStoredBytes", "minFreeDiskBytes", "router", "echo", "other");

    /** NodeConfiguration.of over properties of the types ConfigAdmin delivers (String, Boolean, Long, Integer). */
    @FuzzTest
    void nodeConfiguration(FuzzedDataProvider data) {
        Map<String, Object> raw = new HashMap<>();
        int n = data.consumeInt(0, KEYS.size());
        for (int i = 0; i < n; i++) {
            String key = data.pickValue(KEYS);
            Object value = switch (data.consumeInt(0, 3)) {
                case 0 -> data.consumeBoolean();
                case 1 -> data.consumeLong();
                case 2 -> data.consumeInt();
                default -> data.consumeString(64);
            };
            raw.put(key, value);
        }
        NodeConfiguration c;
        try {
            c = NodeConfiguration.of(raw);
        } catch (NodeConfiguration.Invalid e) {
            assertTrue(e.getMessage().contains("is not valid"), e.getMessage());
            return;
        }
        assertTrue(c.nodeId().isNodeId() && !c.nodeId().isNull());
        assertTrue(c.storage().equals("mvstore") || c.storage().equals("memory"));
        assertTrue(c.maxBundleSize() >= 1024 && c.fragmentPayload() >= 0 && c.maxStoredBytes() >= 1
                && c.minFreeDiskBytes() >= 0);
        assertFalse(c.router().isBlank());
        assertNotNull(c.settings());
    }

    /**
     * ConfigChecks and the link mode, one value each: the first byte picks the check, the rest is the text
     * (UTF-8). Each value is refused with IllegalArgumentException or accepted.
     */
    @FuzzTest
    void configChecks(byte[] input) {
        if (input.length == 0) {
            return;
        }
        String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        try {
            switch ((input[0] & 0xFF) % 7) {
                case 0 -> assertTrue(ConfigChecks.name("link", text).length() <= 64);
                case 1 -> assertNotNull(ConfigChecks.address(text));
                case 2 -> ConfigChecks.parameters(text.split(" "));
                case 3 -> assertNotNull(ConfigChecks.nextHop(text, List.of("peer2", "ipn:2.0")));
                case 4 -> assertNotNull(ConfigChecks.when("start", text));
                case 5 -> assertNotNull(ConfigChecks.mode(text));
                default -> assertNotNull(ConfiguredLinkDefinition.mode(text));
            }
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
        }
    }
}
