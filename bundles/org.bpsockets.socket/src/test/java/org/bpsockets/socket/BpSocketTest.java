package org.bpsockets.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * On a machine without the module: a clear EAFNOSUPPORT, not a crash. The binding's real test runs
 * in the VM against the module and the node (itests/vm-e2e, JavaE2e).
 */
class BpSocketTest {

    @Test
    void withoutTheModuleOpeningSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(!new java.io.File("/sys/module/bp").exists(),
                "the bp module is loaded here");
        BpSocketException e = assertThrows(BpSocketException.class, BpSocket::open);
        assertEquals(97, e.errno());
        assertTrue(e.getMessage().contains("bp kernel module is not loaded"), e.getMessage());
    }
}
