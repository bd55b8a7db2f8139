package org.bpsockets.backend.embedded.internal.config;

import java.time.Instant;

import org.bpsockets.node.api.routing.Contact;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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

    private final Contact contact;

    @Activate
    public ConfiguredContact(Config config) {
        this.contact = new Contact(config.name(), config.link(), Instant.parse(config.start()),
                Instant.parse(config.end()), config.rate());
    }

    public Contact contact() {
        return contact;
    }
}
