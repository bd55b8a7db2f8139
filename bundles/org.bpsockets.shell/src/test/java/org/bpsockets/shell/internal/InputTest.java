package org.bpsockets.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InputTest {
    @Test
    void secondsTakeAFractionAndRefuseWhatIsOutOfRange() {
        assertEquals(500_000_000L, Input.seconds("interval", "0.5", 0.001, 86_400));
        assertEquals(2_000_000_000L, Input.seconds("interval", " 2 ", 0.001, 86_400));
        for (String bad : new String[] {"0", "-1", "abc", "1e9", "NaN", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Input.seconds("interval", bad, 0.001, 86_400), bad);
            assertTrue(e.getMessage().contains("0.001 to 86400"), e.getMessage());
        }
    }

    @Test
    void numbersNameTheirRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Input.number("count", "0", 1, 10, "bundles"));
        assertEquals("count '0' is not valid: use a whole number of bundles, 1 to 10", e.getMessage());
    }
}
