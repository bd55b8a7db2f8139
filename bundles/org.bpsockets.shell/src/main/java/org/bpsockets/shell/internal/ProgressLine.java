package org.bpsockets.shell.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

import org.apache.karaf.shell.api.console.Session;

/**
 * A progress line as scp prints one: how much of how much, the rate and the time left, rewritten in
 * place at most five times a second. Only on a terminal: in batch mode (bin/client -b, scripts) it
 * prints nothing, so output that is read by programs stays as it was.
 */
final class ProgressLine {
    private static final long EVERY_NANOS = 200_000_000L;
    private final String what;
    private final long total;
    private final PrintStream out;
    private final boolean enabled;
    private final LongSupplier nanos;
    private final long start;
    private long lastPrinted = Long.MIN_VALUE;

    ProgressLine(String what, long total, PrintStream out, boolean enabled, LongSupplier nanos) {
        this.what = what;
        this.total = total;
        this.out = out;
        this.enabled = enabled;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    /** Whether the session has a terminal a person watches (an interactive console, not an SSH exec or a pipe). */
    static boolean interactive(Session session) {
        return session != null && session.get(".reader") != null && session.getTerminal() != null
                && !"dumb".equalsIgnoreCase(session.getTerminal().getType());
    }

    /** Shows {@code done} of the total; the last call (done = total) ends the line. */
    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = nanos.getAsLong();
        boolean last = done >= total;
        if (!last && lastPrinted != Long.MIN_VALUE && now - lastPrinted < EVERY_NANOS) {
            return;
        }
        lastPrinted = now;
        out.print("\r" + line(done, now) + (last ? "\n" : ""));
        out.flush();
    }

    String line(long done, long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        int percent = total == 0 ? 100 : (int) (100 * Math.min(done, total) / total);
        String eta = done >= total ? "done in " + clock(seconds) : rate > 0 ? "ETA " + clock((total - done) / rate) : "ETA --:--";
        return String.format(Locale.ROOT, "%s %3d%% %s/%s %s/s %s", what, percent, bytes(done), bytes(total), bytes(rate),
                eta);
    }

    static String bytes(double n) {
        if (n < 1024) {
            return String.format(Locale.ROOT, "%.0f B", n);
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024);
        }
        if (n < 1024.0 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1024 / 1024);
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / 1024 / 1024 / 1024);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
