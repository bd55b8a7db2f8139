package org.bpsockets.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.bpsockets.api.transport.OptionValue;

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

    /**
     * A send whose option had no handler asks to wait for the replacement; if the replacement came in
     * between, the send must go ahead at once, not fail with "unknown option".
     */
    @Test
    void aReplacementThatCameBeforeTheSendAskedLetsItGoAtOnce() throws Exception {
        OptionHandlers handlers = new OptionHandlers();
        SocketRegistryTest.LifetimeHandler old = new SocketRegistryTest.LifetimeHandler();
        handlers.add(old);
        List<OptionValue> options = List.of(new OptionValue(1, ByteBuffer.allocate(8)));
        handlers.remove(old);
        CompletableFuture<Void> waiting = handlers.awaitReplacement(options, 60);
        assertNotNull(waiting, "an option that just lost its handler waits for the next one");
        assertFalse(waiting.isDone());
        handlers.add(new SocketRegistryTest.LifetimeHandler());
        assertTrue(waiting.isDone(), "the next handler ends the wait");
        CompletableFuture<Void> late = handlers.awaitReplacement(options, 60);
        assertNotNull(late, "asked after the replacement came: not a refusal");
        assertTrue(late.isDone(), "and no wait");
        assertNull(handlers.awaitReplacement(List.of(new OptionValue(2, ByteBuffer.allocate(8))), 60),
                "an option nobody ever handled is refused at once");
    }
}
