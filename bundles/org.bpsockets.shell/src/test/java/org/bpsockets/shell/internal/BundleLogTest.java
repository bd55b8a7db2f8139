package org.bpsockets.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.EndpointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleLogTest {
    @TempDir
    Path dir;

    static final BundleId A = BundleId.of(EndpointId.parse("ipn:1.5"), 1000, 0);
    static final BundleId B = BundleId.of(EndpointId.parse("ipn:1.5"), 1000, 1);

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLinePerBundleAndARepeatIsSaidOnceEvenAfterAReopen() throws Exception {
        Path file = dir.resolve("got.log");
        try (BundleLog log = BundleLog.open(file.toString())) {
            assertTrue(log.record(A, text("abc")));
            assertTrue(log.record(B, text("")));
        }
        // A new run (the node and its application restarted) appends to the same file.
        try (BundleLog log = BundleLog.open(file.toString())) {
            assertFalse(log.record(A, text("abc")), "the file has it: a repeat");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of(
                A + " 3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                B + " 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "# repeated " + A), lines);
    }

    @Test
    void aFileThatCannotBeWrittenIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BundleLog.open(dir.resolve("no/such/dir/x.log").toString()));
        assertTrue(e.getMessage().contains("x.log"), e.getMessage());
    }
}
