package org.bpsockets.netlink.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The node's side of RX_GEN: what each DELIVER carries, and when a DRAINED reaches the registry. */
class DeliveryOrderTest {
    private final DeliveryOrder order = new DeliveryOrder();

    @Test
    void aDrainedWithNothingInFlightIsPassedOnAndItsCountUsed() {
        assertEquals(0, order.sending(7));
        assertFalse(order.answered(7));
        assertTrue(order.drained(7, 1));
        assertEquals(1, order.sending(7), "the next DELIVER carries the count the DRAINED said");
    }

    /*
     * The race the count closes: DELIVERs 1..3 in flight with count 0; 1 is refused (the socket is full),
     * the application reads, DRAINED(1) comes before the answers to 2 and 3. Passed on at once, the
     * registry would hand over DELIVER 4 with count 1, which the kernel would queue before 1 comes again.
     */
    @Test
    void aDrainedIsHeldUntilEveryDeliverSentBeforeItIsAnswered() {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, order.sending(7));
        }
        assertFalse(order.drained(7, 1), "held: three DELIVERs with count 0 are in flight");
        assertEquals(0, order.sending(7), "a DELIVER handed over meanwhile carries the old count (the kernel refuses it)");
        assertFalse(order.answered(7));
        assertFalse(order.answered(7));
        assertFalse(order.answered(7));
        assertTrue(order.answered(7), "the last answer passes the DRAINED on");
        assertEquals(1, order.generation(7));
        assertEquals(1, order.sending(7));
        assertFalse(order.answered(7), "nothing held any more");
    }

    @Test
    void aLaterDrainedWhileHeldReplacesTheHeldCount() {
        order.sending(7);
        assertFalse(order.drained(7, 1));
        assertFalse(order.drained(7, 2));
        assertTrue(order.answered(7));
        assertEquals(2, order.generation(7));
    }

    @Test
    void socketsAreIndependent() {
        order.sending(7);
        assertTrue(order.drained(8, 4), "socket 8 has nothing in flight");
        assertEquals(4, order.sending(8));
        assertEquals(0, order.generation(7));
    }

    @Test
    void aClosedSocketIsForgottenAndLateAnswersAreIgnored() {
        order.sending(7);
        order.drained(7, 3);
        order.forget(7);
        assertFalse(order.answered(7));
        assertEquals(0, order.generation(7));
    }

    @Test
    void theCountWrapsAsTheKernelsU32Does() {
        assertTrue(order.drained(7, -1));
        assertEquals(-1, order.sending(7), "0xffffffff, sent as the u32 it is");
    }
}
