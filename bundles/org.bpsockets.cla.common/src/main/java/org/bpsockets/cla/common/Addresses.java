package org.bpsockets.cla.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** "host:port" as links and the node write addresses; IPv6 literals in brackets. */
public final class Addresses {
    private Addresses() {
    }

    /**
     * Splits "host:port" without resolving the host (connect() must return at once; the session's
     * thread resolves it).
     *
     * @throws IOException if the text is not host:port with a port in 1..65535
     */
    public static InetSocketAddress parse(String address) throws IOException {
        if (address == null || address.isBlank()) {
            throw new IOException("empty address: expected host:port");
        }
        String a = address.trim();
        String host;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0 || close + 1 >= a.length() || a.charAt(close + 1) != ':') {
                throw new IOException("malformed address '" + address + "': expected [v6]:port");
            }
            host = a.substring(1, close);
            port = a.substring(close + 2);
        } else {
            int colon = a.lastIndexOf(':');
            if (colon <= 0 || a.indexOf(':') != colon) {
                throw new IOException("malformed address '" + address + "': expected host:port");
            }
            host = a.substring(0, colon);
            port = a.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IOException("malformed port in '" + address + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IOException("port out of range in '" + address + "'");
        }
        return InetSocketAddress.createUnresolved(host, p);
    }

    /** Resolves an address made by {@link #parse}. */
    public static InetSocketAddress resolve(InetSocketAddress unresolved) throws UnknownHostException {
        if (!unresolved.isUnresolved()) {
            return unresolved;
        }
        return new InetSocketAddress(InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
    }

    /** The text form: "127.0.0.1:4556", "[::1]:4556", "host:4556". */
    public static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (host.indexOf(':') >= 0) {
            int pct = host.indexOf('%');
            return "[" + (pct >= 0 ? host.substring(0, pct) : host) + "]:" + a.getPort();
        }
        return host + ":" + a.getPort();
    }
}
