package org.bpsockets.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bpsockets.api.option.SocketOptionHandler;
import org.junit.jupiter.api.Test;

class OptionHandlersTest {

    @Test
    void aSecondExtensionClaimingAnOptionIsReportedAndServesIt() throws Exception {
        OptionHandlers handlers = new OptionHandlers();
        SocketRegistryTest.LifetimeHandler first = new SocketRegistryTest.LifetimeHandler();
        SocketRegistryTest.LifetimeHandler second = new SocketRegistryTest.LifetimeHandler();
        assertTrue(handlers.add(first).isEmpty(), "the first handler of option 1 takes it from nobody");
        Map<Integer, SocketOptionHandler> taken = handlers.add(second);
        assertEquals(Map.of(1, first), taken, "the clash is reported with the handler that loses the option");
        assertSame(second, handlers.handler(1), "the later one serves it");
        assertTrue(handlers.add(second).isEmpty(), "the same handler again is no clash");
    }
}
