package org.bpsockets.backend.embedded.internal.config;

import java.time.Instant;

import org.bpsockets.node.api.routing.Contact;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/** One scheduled contact: a factory configuration {@code org.bpsockets.node.contact~NAME}. */
@Component(service = ConfiguredContact.class, configurationPid = ConfiguredContact.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ConfiguredContact.Config.class, factory = true)
public final class ConfiguredContact {

    public static final String PID = "org.bpsockets.node.contact";

    @ObjectClassDefinition(name = "BP Sockets node contact", description = "A scheduled contact on a link.")
    public @interface Config {
        @AttributeDefinition(description = "The contact's name")
        String name();

        @AttributeDefinition(description = "The configured link it opens (a link of mode scheduled)")
        String link();

        @AttributeDefinition(description = "Start, ISO-8601 UTC, e.g. 2026-11-22T12:00:00Z")
        String start();

        @AttributeDefinition(description = "End, ISO-8601 UTC")
        String end();

        @AttributeDefinition(description = "Bytes per second during the contact; 0 unlimited")
        long rate() default 0;
    }

    private final String name;
    private final Contact contact;
    private final String problem;

    /** A hand-edited file with a bad value still activates: the node skips it and bp:contacts says why. */
    @Activate
    public ConfiguredContact(Config config) {
        this.name = String.valueOf(config.name());
        Contact c = null;
        String p = null;
        try {
            c = new Contact(ConfigChecks.name("contact", config.name()), ConfigChecks.name("link", config.link()),
                    ConfigChecks.when("start", config.start()), ConfigChecks.when("end", config.end()), config.rate());
        } catch (IllegalArgumentException | NullPointerException e) {
            p = PID + "~" + name + " refused: " + e.getMessage();
            LoggerFactory.getLogger(ConfiguredContact.class).warn("Configuration {}", p);
        }
        this.contact = c;
        this.problem = p;
    }

    public String name() {
        return name;
    }

    /** Why this configuration was refused, or null if it is valid. */
    public String problem() {
        return problem;
    }

    public Contact contact() {
        return contact;
    }
}
