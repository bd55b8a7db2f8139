package org.bpsockets.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsDoneRateAndTimeLeftAndEndsTheLine() {
        ProgressLine p = new ProgressLine("f.bin", 10L << 20, out, true, now::get);
        now.addAndGet(2_000_000_000L);
        p.update(4L << 20); // 4 MiB in 2 s: 2 MiB/s, 6 MiB left: 3 s
        assertEquals("\rf.bin  40% 4.0 MiB/10.0 MiB 2.0 MiB/s ETA 0:03", printed());
        now.addAndGet(100_000_000L);
        p.update(5L << 20);
        assertEquals("\rf.bin  40% 4.0 MiB/10.0 MiB 2.0 MiB/s ETA 0:03", printed(), "at most five lines a second");
        now.addAndGet(2_900_000_000L);
        p.update(10L << 20);
        assertEquals("\rf.bin  40% 4.0 MiB/10.0 MiB 2.0 MiB/s ETA 0:03\rf.bin 100% 10.0 MiB/10.0 MiB 2.0 MiB/s done in 0:05\n",
                printed(), "the last update always prints, and ends the line");
    }

    @Test
    void printsNothingWithoutATerminal() {
        ProgressLine p = new ProgressLine("f.bin", 100, out, false, now::get);
        p.update(50);
        p.update(100);
        assertEquals("", printed());
        assertEquals(false, ProgressLine.interactive(null));
    }

    @Test
    void longTimesHaveHours() {
        assertEquals("1:01:01", ProgressLine.clock(3661));
        assertEquals("0:59", ProgressLine.clock(59.4));
    }
}
