package org.bpsockets.backend.embedded.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ConfigChecksTest {

    static void refused(Runnable r, String... phrases) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' says " + p);
        }
    }

    @Test
    void addressesAreHostColonPortWithARealPortAndHost() {
        for (String ok : List.of("127.0.0.1:4556", "192.0.2.7:1", "peer-2.example:65535", "[::1]:4556",
                "[2001:db8::7]:4556", "localhost:80")) {
            assertEquals(ok, ConfigChecks.address(ok));
        }
        refused(() -> ConfigChecks.address("127.0.0.1:99999"), "99999", "1 to 65535");
        refused(() -> ConfigChecks.address("127.0.0.1:abc"), "'abc'", "1 to 65535");
        refused(() -> ConfigChecks.address("127.0.0.1:0"), "1 to 65535");
        refused(() -> ConfigChecks.address("256.1.1.1:4556"), "256.1.1.1", "IPv4");
        refused(() -> ConfigChecks.address("1.2.3:4556"), "IPv4");
        refused(() -> ConfigChecks.address("127.0.0.1"), "host:port");
        refused(() -> ConfigChecks.address(":4556"), "host:port");
        refused(() -> ConfigChecks.address("::1:4556"), "brackets");
        refused(() -> ConfigChecks.address("bad_host!:4556"), "host name");
    }

    @Test
    void layersNextHopsNamesTimesAndModesNameWhatIsValid() {
        assertEquals("udp", ConfigChecks.layer("udp", Set.of("udp", "tcpclv4")));
        refused(() -> ConfigChecks.layer("foocl", Set.of("udp", "tcpclv4")), "'foocl'", "tcpclv4, udp");
        assertEquals("l1", ConfigChecks.nextHop("l1", Set.of("l1")));
        assertEquals("ipn:2.0", ConfigChecks.nextHop("ipn:2.0", Set.of()));
        refused(() -> ConfigChecks.nextHop("nolink", Set.of("l1")), "'nolink'", "l1", "ipn:2.0");
        refused(() -> ConfigChecks.nextHop("ipn:2.5", Set.of()), "node ID");
        refused(() -> ConfigChecks.name("link", "a/b"), "'a/b'", "letters");
        refused(() -> ConfigChecks.when("start", "2026-13-45T00:00:00Z"), "'2026-13-45T00:00:00Z'", "ISO-8601",
                "+SECONDS");
        refused(() -> ConfigChecks.when("end", "+x"), "+SECONDS");
        refused(() -> ConfigChecks.mode("sometimes"), "always-on, on-demand or scheduled");
        refused(() -> ConfigChecks.parameters(new String[] {"peer"}), "key=value");
        assertEquals(2, ConfigChecks.parameters(new String[] {"peer=ipn:2.0,tls=true"}).size());
    }
}
