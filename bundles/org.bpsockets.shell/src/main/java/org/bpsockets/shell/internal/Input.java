package org.bpsockets.shell.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.bpsockets.api.BpException;
import org.bpsockets.api.eid.EndpointId;

/**
 * The checks of the bp: commands' arguments: each refusal names the argument, the value and what is
 * valid, so the console never shows a Java exception for a typing mistake.
 */
final class Input {
    private Input() {
    }

    static EndpointId eid(String what, String text) {
        try {
            return EndpointId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an endpoint ID: use ipn:N.S, ipn:!.S "
                    + "(this node) or dtn://node/demux (" + e.getMessage() + ")", e);
        }
    }

    /** One of an enum's constants, by name in any case; the message lists them in lower case. */
    static <E extends Enum<E>> E choice(String what, String text, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    static long number(String what, String text, long min, long max, String unit) {
        try {
            long n = Long.parseLong(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not valid: use a whole number of " + unit + ", "
                + min + (max == Long.MAX_VALUE / 1000 || max == Long.MAX_VALUE ? " or more" : " to " + max));
    }

    /**
     * A command's failure, to throw from execute(): Karaf prints "Error executing command: MESSAGE" and
     * bin/client exits 1, in batch mode too, where a command's own System.err output is lost (issue 16's
     * testbed found bp:send's refusals printed nothing there). A refused input needs no wrapping: the
     * IllegalArgumentException from this class's checks reaches Karaf the same way.
     */
    static IllegalStateException failure(String message) {
        return new IllegalStateException(message);
    }

    /** The node's refusal as the command's failure: its error code, then why. */
    static IllegalStateException failure(BpException refusal) {
        return failure(refusal.error() + ": " + refusal.getMessage());
    }

    /** A duration in seconds, with a fraction (e.g. 0.5), as nanoseconds. */
    static long seconds(String what, String text, double min, double max) {
        try {
            double s = Double.parseDouble(text.trim());
            if (s >= min && s <= max) {
                return Math.round(s * 1e9);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not valid: use seconds, " + min + " to " + max
                + " (e.g. 0.5)");
    }
}
