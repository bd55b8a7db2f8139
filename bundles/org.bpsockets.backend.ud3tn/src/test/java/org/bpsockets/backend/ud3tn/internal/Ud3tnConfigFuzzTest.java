package org.bpsockets.backend.ud3tn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.DateTimeException;
import java.util.HashMap;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer) for the µD3TN backend's contact configuration
 * ({@code org.bpsockets.backend.ud3tn.contact-<name>.cfg}, also written by {@code bp:contact-add}): the values
 * of its attributes → {@link Ud3tnContact}'s activation, then the command sent to µD3TN's config agent.
 * Refused: {@link IllegalArgumentException} (a bad EID, address or order) or {@link DateTimeException} (a bad
 * time), which fail the component's activation with the message. Accepted: the add and delete commands are
 * each exactly one well-formed µD3TN command (balanced parentheses, one terminating semicolon), so no value
 * can add to or change what µD3TN is told. Under {@code mvn install} it runs its committed inputs only;
 * {@code tools/fuzz Ud3tnConfigFuzzTest} fuzzes it.
 */
class Ud3tnConfigFuzzTest {
    static final String[] PEERS = {"ipn:2.0", "dtn://peer/", "ipn:2.0.0"};
    static final String[] TIMES = {"", "2030-01-01T00:00:00Z", "2020-06-30T12:00:00.5Z"};

    @FuzzTest
    void contact(FuzzedDataProvider data) {
        Map<String, Object> values = new HashMap<>();
        values.put("name", data.consumeString(16));
        values.put("peer", data.consumeBoolean() ? data.pickValue(PEERS) : data.consumeString(48));
        values.put("cla", data.consumeBoolean() ? "tcpclv3:" + data.consumeString(32) : data.consumeString(48));
        String[] reachable = new String[data.consumeInt(0, 3)];
        for (int i = 0; i < reachable.length; i++) {
            reachable[i] = data.consumeBoolean() ? data.pickValue(PEERS) : data.consumeString(48);
        }
        values.put("reachable", reachable);
        values.put("start", data.consumeBoolean() ? data.pickValue(TIMES) : data.consumeString(40));
        values.put("end", data.consumeBoolean() ? data.pickValue(TIMES) : data.consumeString(40));
        values.put("rate", data.consumeLong());
        Ud3tnContact contact;
        try {
            contact = new Ud3tnContact(config(values));
        } catch (IllegalArgumentException | DateTimeException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertTrue(contact.end().isAfter(contact.start()));
        assertTrue(contact.rate() >= 1, "a rate µD3TN reads as meant");
        assertOneCommand(contact.addCommand());
        assertOneCommand(contact.deleteCommand());
    }

    /** One command of µD3TN's config agent: parentheses balanced, a semicolon only at its end. */
    static void assertOneCommand(String command) {
        assertEquals(command.length() - 1, command.indexOf(';'), "one command: " + command);
        int depth = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            assertTrue(depth >= 0 && depth <= 1, "parentheses in " + command);
        }
        assertEquals(0, depth, "parentheses in " + command);
    }

    static Ud3tnContact.Config config(Map<String, Object> values) {
        return (Ud3tnContact.Config) Proxy.newProxyInstance(Ud3tnContact.Config.class.getClassLoader(),
                new Class<?>[] {Ud3tnContact.Config.class}, (p, m, args) -> switch (m.getName()) {
                    case "annotationType" -> Ud3tnContact.Config.class;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> "Config" + values;
                    default -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue();
                });
    }
}
