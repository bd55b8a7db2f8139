package org.bpsockets.backend.embedded.internal.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.bpsockets.api.eid.EndpointId;

/**
 * The checks of link, route and contact settings, shared by the shell (which refuses at once) and by
 * the configuration components (which refuse a hand-edited file and say so in bp:links / bp:routes /
 * bp:contacts). Every message names the value and what is valid.
 */
public final class ConfigChecks {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");

    private ConfigChecks() {
    }

    /** A link's, route's or contact's name: it becomes part of a file name in etc/. */
    public static String name(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name + "' is not valid: use 1-64 letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * A peer address as the IP convergence layers take it: host:port, where host is an IPv4 address, a
     * host name, or an IPv6 address in brackets, and port is 1-65535.
     */
    public static String address(String address) {
        String hint = " is not host:port (e.g. 192.0.2.7:4556, peer.example:4556 or [2001:db8::7]:4556)";
        if (address == null) {
            throw new IllegalArgumentException("address null" + hint);
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address '" + address + "'" + hint);
        }
        String host = address.substring(0, colon);
        String portText = address.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + address + "': port '" + portText + "' is not a number "
                    + "from 1 to 65535");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("address '" + address + "': port " + port + " is not from 1 to 65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            String v6 = host.substring(1, host.length() - 1);
            if (!v6.matches("[0-9A-Fa-f:.]+") || !v6.contains(":")) {
                throw new IllegalArgumentException("address '" + address + "': '" + v6 + "' is not an IPv6 address");
            }
            return address;
        }
        if (host.contains(":")) {
            throw new IllegalArgumentException("address '" + address + "': put an IPv6 address in brackets, "
                    + "e.g. [2001:db8::7]:4556");
        }
        if (DOTTED_NUMBERS.matcher(host).matches()) {
            String[] parts = host.split("\\.", -1);
            boolean ok = parts.length == 4;
            for (String p : parts) {
                ok &= !p.isEmpty() && p.length() <= 3 && Integer.parseInt(p) <= 255;
            }
            if (!ok) {
                throw new IllegalArgumentException("address '" + address + "': '" + host + "' is not an IPv4 address "
                        + "(four numbers 0-255, e.g. 192.0.2.7)");
            }
            return address;
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("address '" + address + "': '" + host + "' is not a host name "
                    + "(letters, digits, '-' and '.') nor an IP address");
        }
        return address;
    }

    /** A convergence layer's name among those installed. */
    public static String layer(String cla, Collection<String> installed) {
        if (cla == null || !installed.contains(cla)) {
            throw new IllegalArgumentException("convergence layer '" + cla + "' is not installed; installed: "
                    + (installed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(installed)))
                    + " (feature:install bpsockets-cla-NAME adds one)");
        }
        return cla;
    }

    /** Layer parameters, each key=value; an item may hold several, comma-separated (as a .cfg file has them). */
    public static Map<String, String> parameters(String[] items) {
        Map<String, String> params = new LinkedHashMap<>();
        java.util.List<String> all = new java.util.ArrayList<>();
        for (String item : items == null ? new String[0] : items) {
            for (String part : item.split(",")) {
                if (!part.isBlank()) {
                    all.add(part.trim());
                }
            }
        }
        for (String p : all) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("link parameter '" + p + "' is not key=value (e.g. peer=ipn:2.0)");
            }
            params.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return params;
    }

    /** A route's next hop: one of the configured links, or a node ID. */
    public static String nextHop(String nextHop, Collection<String> links) {
        if (links.contains(nextHop)) {
            return nextHop;
        }
        try {
            EndpointId eid = EndpointId.parse(nextHop);
            if (eid.isNodeId() && !eid.isNull()) {
                return nextHop;
            }
        } catch (IllegalArgumentException e) {
            // not a node ID either: said below
        }
        throw new IllegalArgumentException("next hop '" + nextHop + "' is neither a configured link ("
                + (links.isEmpty() ? "none yet: bp:link-add first" : String.join(", ", new java.util.TreeSet<>(links)))
                + ") nor a node ID such as ipn:2.0 or dtn://node2/");
    }

    /** An ISO-8601 UTC instant, or +SECONDS from now. */
    public static Instant when(String what, String text) {
        String hint = " is not an ISO-8601 UTC time (e.g. 2026-11-22T12:00:00Z) nor +SECONDS from now (e.g. +60)";
        if (text != null && text.startsWith("+")) {
            try {
                long seconds = Long.parseLong(text.substring(1));
                if (seconds >= 0) {
                    return Instant.now().plus(Duration.ofSeconds(seconds));
                }
            } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
                // ArithmeticException, DateTimeException: beyond Instant.MAX (found by ConfigFuzzTest)
                // said below
            }
            throw new IllegalArgumentException(what + " '" + text + "'" + hint);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(what + " '" + text + "'" + hint);
        }
    }

    /** A link mode. */
    public static String mode(String text) {
        String m = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("always-on") && !m.equals("on-demand") && !m.equals("scheduled")) {
            throw new IllegalArgumentException("link mode '" + text + "' is not always-on, on-demand or scheduled");
        }
        return m;
    }
}
