package org.bpsockets.backend.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.bpsockets.api.eid.EndpointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigurationTest {

    static String refusal(Map<String, ?> raw) {
        return assertThrows(NodeConfiguration.Invalid.class, () -> NodeConfiguration.of(raw)).getMessage();
    }

    @Test
    void eachBadValueIsRefusedNamingTheKeyTheValueAndWhatIsValid() {
        String m = refusal(Map.of("nodeId", "banana"));
        assertTrue(m.contains("nodeId = 'banana'") && m.contains("ipn:1.0"), m);
        m = refusal(Map.of("nodeId", "ipn:2.5"));
        assertTrue(m.contains("ipn:N.0"), m);
        m = refusal(Map.of("storage", "floppy"));
        assertTrue(m.contains("storage = 'floppy'") && m.contains("mvstore") && m.contains("memory"), m);
        m = refusal(Map.of("maxBundleSize", "abc"));
        assertTrue(m.contains("maxBundleSize = 'abc'") && m.contains("1024 or more"), m);
        m = refusal(Map.of("maxStoredBytes", "-1"));
        assertTrue(m.contains("maxStoredBytes"), m);
        m = refusal(Map.of("syncToDisk", "yes"));
        assertTrue(m.contains("true or false"), m);
    }

    @Test
    void theLastValidConfigurationIsKeptAndComesBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("last.properties");
        NodeConfiguration good = NodeConfiguration.of(Map.of("nodeId", "ipn:7.0", "storage", "memory",
                "maxStoredBytes", "12345"));
        good.save(file);
        NodeConfiguration back = NodeConfiguration.load(file);
        assertEquals(good, back);
        assertEquals(EndpointId.parse("ipn:7.0"), back.nodeId());
        assertEquals(NodeConfiguration.defaults(), NodeConfiguration.load(dir.resolve("none")));
    }
}
