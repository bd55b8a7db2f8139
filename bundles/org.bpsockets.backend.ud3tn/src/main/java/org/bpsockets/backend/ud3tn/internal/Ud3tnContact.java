package org.bpsockets.backend.ud3tn.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A contact the µD3TN node should have: a factory configuration
 * {@code org.bpsockets.backend.ud3tn.contact~NAME}. µD3TN keeps contacts in RAM only, so the backend
 * gives them to it again whenever it reconnects to a (restarted) µD3TN.
 */
@Component(service = Ud3tnContact.class, configurationPid = Ud3tnContact.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = Ud3tnContact.Config.class, factory = true)
public final class Ud3tnContact {

    public static final String PID = "org.bpsockets.backend.ud3tn.contact";

    @ObjectClassDefinition(name = "BP Sockets µD3TN contact", description = "A contact configured on the µD3TN node.")
    public @interface Config {
        @AttributeDefinition(description = "The contact's name")
        String name();

        @AttributeDefinition(description = "The peer's node ID, e.g. ipn:2.0")
        String peer();

        @AttributeDefinition(description = "How µD3TN reaches it: <cla>:<address>, e.g. tcpclv3:127.0.0.1:4556")
        String cla();

        @AttributeDefinition(description = "Further EIDs reachable through the peer", required = false)
        String[] reachable() default {};

        @AttributeDefinition(description = "Start, ISO-8601 UTC; empty: now")
        String start() default "";

        @AttributeDefinition(description = "End, ISO-8601 UTC; empty: in ten years")
        String end() default "";

        @AttributeDefinition(description = "Bytes per second during the contact", min = "1")
        long rate() default 100_000_000L;
    }

    private final String name;
    private final EndpointId peer;
    private final String cla;
    private final List<EndpointId> reachable;
    private final Instant start;
    private final Instant end;
    private final long rate;

    @Activate
    public Ud3tnContact(Config config) {
        this(config.name(), EndpointId.parse(config.peer()), config.cla(),
                Arrays.stream(config.reachable()).filter(s -> !s.isBlank()).map(EndpointId::parse).toList(),
                config.start().isBlank() ? Instant.now() : Instant.parse(config.start()),
                config.end().isBlank() ? Instant.now().plusSeconds(10L * 365 * 86400) : Instant.parse(config.end()),
                config.rate());
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public Ud3tnContact(String name, EndpointId peer, String cla, List<EndpointId> reachable, Instant start, Instant end,
            long rate) {
        // The address goes into µD3TN's contact command between parentheses: one with a parenthesis or a
        // semicolon would end it early and add to the command (found by Ud3tnConfigFuzzTest).
        if (!cla.matches("[a-z0-9]+:[^();]+")) {
            throw new IllegalArgumentException("contact " + name + ": cla '" + cla
                    + "' is not <cla>:<address> (an address without parentheses or semicolons)");
        }
        for (EndpointId eid : concat(peer, reachable)) {
            // A dtn: EID may hold them (RFC 3986 sub-delims); in the command they would end it early too.
            if (eid.toString().matches(".*[();].*")) {
                throw new IllegalArgumentException("contact " + name + ": EID '" + eid
                        + "' has a parenthesis or semicolon, which µD3TN's contact command cannot carry");
            }
        }
        // µD3TN reads the rate as an unsigned number: a negative one would be a huge rate, 0 a contact that
        // carries nothing.
        if (rate < 1) {
            throw new IllegalArgumentException("contact " + name + ": rate " + rate
                    + " B/s is not valid: give 1 or more bytes per second");
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("contact " + name + " ends (" + end + ") before it starts (" + start + ")");
        }
        this.name = name;
        this.peer = peer;
        this.cla = cla;
        this.reachable = List.copyOf(reachable);
        this.start = start;
        this.end = end;
        this.rate = rate;
    }

    private static List<EndpointId> concat(EndpointId peer, List<EndpointId> reachable) {
        List<EndpointId> all = new java.util.ArrayList<>(reachable);
        all.add(0, peer);
        return all;
    }

    public String name() {
        return name;
    }

    public EndpointId peer() {
        return peer;
    }

    public String cla() {
        return cla;
    }

    public List<EndpointId> reachable() {
        return reachable;
    }

    public Instant start() {
        return start;
    }

    public Instant end() {
        return end;
    }

    public long rate() {
        return rate;
    }

    String addCommand() {
        return Aap2Dialect.contactCommand(true, peer, cla, reachable, start.getEpochSecond(), end.getEpochSecond(), rate);
    }

    String deleteCommand() {
        return Aap2Dialect.contactCommand(false, peer, cla, reachable, 0, 0, 0);
    }

    @Override
    public String toString() {
        return name + ": " + peer + " via " + cla + " " + start + " .. " + end + " at " + rate + " B/s";
    }
}
