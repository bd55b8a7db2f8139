package org.bpsockets.api.eid;

/**
 * A {@code dtn} endpoint ID (RFC 9171 §4.2.5.1.1): {@code dtn://node-name/demux}, or the null endpoint
 * {@code dtn:none}.
 *
 * <p>The node name is a non-empty RFC 3986 reg-name (letters, digits, {@code -._~!$&'()*+,;=} and
 * {@code %XX}); the demux is zero or more visible ASCII characters. A demux that starts with {@code ~} names a non-singleton endpoint;
 * an empty demux ({@code dtn://node/}) is the node ID.
 */
public final class DtnEndpointId extends EndpointId {

    /** The null endpoint. */
    public static final DtnEndpointId NONE = new DtnEndpointId(null, null);

    private final String nodeName;
    private final String demux;

    private DtnEndpointId(String nodeName, String demux) {
        this.nodeName = nodeName;
        this.demux = demux;
    }

    /**
     * {@code dtn://nodeName/demux}.
     *
     * @throws EndpointIdSyntaxException if the node name is empty or either part has a character that
     *         is not visible ASCII (or a {@code /} in the node name)
     */
    public static DtnEndpointId of(String nodeName, String demux) {
        String input = "dtn://" + nodeName + "/" + demux;
        checkNodeName(input, nodeName);
        checkDemux(input, demux);
        return new DtnEndpointId(nodeName, demux);
    }

    static DtnEndpointId parseSsp(String input, String ssp) {
        if (ssp.equals("none")) {
            return NONE;
        }
        if (!ssp.startsWith("//")) {
            throw new EndpointIdSyntaxException(input, "expected dtn://node-name/demux or dtn:none");
        }
        int slash = ssp.indexOf('/', 2);
        if (slash < 0) {
            throw new EndpointIdSyntaxException(input,
                    "no '/' after the node name: write dtn://node/ for a node ID or dtn://node/demux");
        }
        String nodeName = ssp.substring(2, slash);
        String demux = ssp.substring(slash + 1);
        checkNodeName(input, nodeName);
        checkDemux(input, demux);
        return new DtnEndpointId(nodeName, demux);
    }

    // node-name = reg-name (RFC 9171 §4.2.5.1.1, RFC 3986 §3.2.2): unreserved / pct-encoded / sub-delims.
    private static void checkNodeName(String input, String nodeName) {
        if (nodeName.isEmpty()) {
            throw new EndpointIdSyntaxException(input, "node name is empty");
        }
        for (int i = 0; i < nodeName.length(); i++) {
            char c = nodeName.charAt(i);
            if (c == '%') {
                if (i + 2 >= nodeName.length() || !isHex(nodeName.charAt(i + 1)) || !isHex(nodeName.charAt(i + 2))) {
                    throw new EndpointIdSyntaxException(input,
                            "node name has a '%' at position " + i + " that is not followed by two hex digits");
                }
                i += 2;
            } else if (!isRegNameChar(c)) {
                checkVisible(input, "node name", c, i);
                throw new EndpointIdSyntaxException(input, "node name may not contain '" + c + "' (position " + i
                        + "): only letters, digits, -._~!$&'()*+,;= and %XX");
            }
        }
    }

    private static boolean isRegNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static void checkDemux(String input, String demux) {
        for (int i = 0; i < demux.length(); i++) {
            checkVisible(input, "demux", demux.charAt(i), i);
        }
    }

    private static void checkVisible(String input, String part, char c, int index) {
        if (c < 0x21 || c > 0x7E) {
            throw new EndpointIdSyntaxException(input, String.format(
                    "%s has a character that is not visible ASCII (U+%04X at position %d)", part, (int) c, index));
        }
    }

    /** The node name, or null for {@code dtn:none}. */
    public String nodeName() {
        return nodeName;
    }

    /** The demux (possibly empty), or null for {@code dtn:none}. */
    public String demux() {
        return demux;
    }

    /** False for endpoints whose demux starts with {@code ~}, which may be registered by many nodes. */
    public boolean isSingleton() {
        return demux == null || !demux.startsWith("~");
    }

    /** This node's endpoint with another demux. */
    public DtnEndpointId withDemux(String newDemux) {
        if (isNull()) {
            throw new EndpointIdSyntaxException("dtn:none", "the null endpoint has no demux");
        }
        return of(nodeName, newDemux);
    }

    @Override
    public Scheme scheme() {
        return Scheme.DTN;
    }

    @Override
    public boolean isNull() {
        return nodeName == null;
    }

    @Override
    public DtnEndpointId nodeId() {
        return isNull() || demux.isEmpty() ? this : new DtnEndpointId(nodeName, "");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DtnEndpointId other)) {
            return false;
        }
        if (isNull() || other.isNull()) {
            return isNull() && other.isNull();
        }
        return nodeName.equals(other.nodeName) && demux.equals(other.demux);
    }

    @Override
    public int hashCode() {
        return isNull() ? 0 : nodeName.hashCode() * 31 + demux.hashCode();
    }

    @Override
    public String toString() {
        return isNull() ? "dtn:none" : "dtn://" + nodeName + "/" + demux;
    }
}
