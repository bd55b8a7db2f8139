package org.bpsockets.api.eid;

/**
 * An {@code ipn} endpoint ID as updated by RFC 9758: allocator, node number and service number, each an
 * unsigned 32-bit value.
 *
 * <p>Text forms: {@code ipn:N.S} (allocator 0), {@code ipn:A.N.S}, {@code ipn:!.S} (the local node,
 * node number 2^32-1) and the null EID {@code ipn:0.0}. Numbers are decimal without leading zeros.
 *
 * <p>Equality is by value: {@code ipn:1.2} equals {@code ipn:0.1.2}. Whether the ID was written or
 * received in its 3-element form is kept as {@link #threeElement()}, because RFC 9758 asks a relay to
 * preserve the encoding it received; it does not take part in equality.
 */
public final class IpnEndpointId extends EndpointId {

    /** Largest value of each component. */
    public static final long MAX_COMPONENT = 0xFFFF_FFFFL;
    /** Node number of {@code ipn:!.S}, "the local node" (RFC 9758). */
    public static final long LOCAL_NODE = MAX_COMPONENT;
    /** The null endpoint {@code ipn:0.0}. */
    public static final IpnEndpointId NULL = new IpnEndpointId(0, 0, 0, false);

    private final long allocator;
    private final long node;
    private final long service;
    private final boolean threeElement;

    private IpnEndpointId(long allocator, long node, long service, boolean threeElement) {
        this.allocator = allocator;
        this.node = node;
        this.service = service;
        this.threeElement = threeElement;
    }

    /** {@code ipn:node.service} with allocator 0. */
    public static IpnEndpointId of(long node, long service) {
        return of(0, node, service);
    }

    /** {@code ipn:allocator.node.service}; the 3-element form is preferred when the allocator is not 0. */
    public static IpnEndpointId of(long allocator, long node, long service) {
        return of(allocator, node, service, allocator != 0);
    }

    /**
     * An ipn EID with an explicit encoding preference.
     *
     * @param threeElement true to encode (and print) it in the 3-element form even with allocator 0
     * @throws EndpointIdSyntaxException if a component is outside 0..2^32-1, or a non-zero allocator
     *         is asked to use the 2-element text form
     */
    public static IpnEndpointId of(long allocator, long node, long service, boolean threeElement) {
        String desc = allocator + "." + node + "." + service;
        checkRange(desc, "allocator", allocator);
        checkRange(desc, "node number", node);
        checkRange(desc, "service number", service);
        return checkZeroNode(desc, new IpnEndpointId(allocator, node, service, threeElement || allocator != 0));
    }

    // RFC 9758 §3.4.1: allocator 0, node 0 and a non-zero service "MUST NOT be composed".
    private static IpnEndpointId checkZeroNode(String input, IpnEndpointId eid) {
        if (eid.allocator == 0 && eid.node == 0 && eid.service != 0) {
            throw new EndpointIdSyntaxException(input,
                    "node number 0 with service " + eid.service + " is invalid (only ipn:0.0, the null EID, has node 0)");
        }
        return eid;
    }

    /** {@code ipn:!.service}: the given service on whichever node serves it. */
    public static IpnEndpointId localNode(long service) {
        return of(0, LOCAL_NODE, service, false);
    }

    private static void checkRange(String input, String what, long value) {
        if (value < 0 || value > MAX_COMPONENT) {
            throw new EndpointIdSyntaxException("ipn:" + input,
                    what + " " + Long.toUnsignedString(value) + " is outside 0.." + MAX_COMPONENT);
        }
    }

    static IpnEndpointId parseSsp(String input, String ssp) {
        if (ssp.isEmpty()) {
            throw new EndpointIdSyntaxException(input, "empty scheme-specific part: expected N.S or A.N.S");
        }
        String[] parts = ssp.split("\\.", -1);
        if (parts.length == 2) {
            long service = number(input, "service number", parts[1]);
            if (parts[0].equals("!")) {
                return new IpnEndpointId(0, LOCAL_NODE, service, false);
            }
            return checkZeroNode(input, new IpnEndpointId(0, number(input, "node number", parts[0]), service, false));
        }
        if (parts.length == 3) {
            if (parts[1].equals("!")) {
                throw new EndpointIdSyntaxException(input, "'!' (the local node) takes no allocator: write ipn:!.S");
            }
            return checkZeroNode(input, new IpnEndpointId(number(input, "allocator", parts[0]),
                    number(input, "node number", parts[1]), number(input, "service number", parts[2]), true));
        }
        throw new EndpointIdSyntaxException(input,
                "expected 2 or 3 dot-separated numbers (ipn:N.S or ipn:A.N.S), found " + parts.length + " parts");
    }

    private static long number(String input, String what, String digits) {
        if (digits.isEmpty()) {
            throw new EndpointIdSyntaxException(input, what + " is empty");
        }
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw new EndpointIdSyntaxException(input, what + " '" + digits + "' has a leading zero");
        }
        if (digits.length() > 10) {
            throw new EndpointIdSyntaxException(input, what + " '" + digits + "' is larger than " + MAX_COMPONENT);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new EndpointIdSyntaxException(input, what + " '" + digits + "' is not a decimal number");
            }
            value = value * 10 + (c - '0');
        }
        if (value > MAX_COMPONENT) {
            throw new EndpointIdSyntaxException(input, what + " " + digits + " is larger than " + MAX_COMPONENT);
        }
        return value;
    }

    public long allocator() {
        return allocator;
    }

    public long node() {
        return node;
    }

    public long service() {
        return service;
    }

    /** The fully qualified node number of the 2-element CBOR form: {@code (allocator << 32) | node}. */
    public long fullyQualifiedNodeNumber() {
        return (allocator << 32) | node;
    }

    /** Whether this EID was given (or is to be encoded) in the 3-element form. */
    public boolean threeElement() {
        return threeElement;
    }

    /** True for {@code ipn:!.S}. */
    public boolean isLocalNode() {
        return allocator == 0 && node == LOCAL_NODE;
    }

    /** This endpoint with its service replaced, keeping allocator, node and form. */
    public IpnEndpointId withService(long newService) {
        checkRange(allocator + "." + node + "." + newService, "service number", newService);
        return new IpnEndpointId(allocator, node, newService, threeElement);
    }

    @Override
    public Scheme scheme() {
        return Scheme.IPN;
    }

    @Override
    public boolean isNull() {
        return allocator == 0 && node == 0 && service == 0;
    }

    @Override
    public IpnEndpointId nodeId() {
        return service == 0 ? this : new IpnEndpointId(allocator, node, 0, threeElement);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpnEndpointId other
                && other.allocator == allocator && other.node == node && other.service == service;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(allocator * 31 + node) * 31 + Long.hashCode(service);
    }

    @Override
    public String toString() {
        if (isLocalNode() && !threeElement) {
            return "ipn:!." + service;
        }
        return threeElement ? "ipn:" + allocator + "." + node + "." + service : "ipn:" + node + "." + service;
    }
}
