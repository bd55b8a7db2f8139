package org.bpsockets.backend.embedded.internal.config;

import java.util.Locale;

import org.bpsockets.backend.embedded.internal.LinkDefinition;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/** One configured link: a factory configuration {@code org.bpsockets.node.link~NAME} (bp:link-add writes it). */
@Component(service = ConfiguredLinkDefinition.class, configurationPid = ConfiguredLinkDefinition.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ConfiguredLinkDefinition.Config.class, factory = true)
public final class ConfiguredLinkDefinition {

    public static final String PID = "org.bpsockets.node.link";

    @ObjectClassDefinition(name = "BP Sockets node link", description = "A link the embedded node opens.")
    public @interface Config {
        @AttributeDefinition(description = "The link's name, used by routes and contacts")
        String name();

        @AttributeDefinition(description = "Convergence layer: tcpclv4, tcpclv3, mtcp or udp")
        String cla();

        @AttributeDefinition(description = "The peer's address, e.g. 127.0.0.1:4556")
        String address();

        @AttributeDefinition(description = "always-on (kept up, reconnected with backoff), on-demand (opened "
                + "when a bundle needs it) or scheduled (open during its contacts)")
        String mode() default "always-on";

        @AttributeDefinition(description = "Layer parameters as key=value items, e.g. peer=ipn:2.0")
        String[] parameters() default {};
    }

    private final String name;
    private final LinkDefinition definition;
    private final String problem;

    /** A hand-edited file with a bad value still activates: the node skips it and bp:links says why. */
    @Activate
    public ConfiguredLinkDefinition(Config config) {
        this.name = String.valueOf(config.name());
        LinkDefinition d = null;
        String p = null;
        try {
            d = new LinkDefinition(ConfigChecks.name("link", config.name()), String.valueOf(config.cla()),
                    ConfigChecks.address(config.address()), mode(config.mode()),
                    ConfigChecks.parameters(config.parameters()));
        } catch (IllegalArgumentException | NullPointerException e) {
            p = PID + "~" + name + " refused: " + e.getMessage();
            LoggerFactory.getLogger(ConfiguredLinkDefinition.class).warn("Configuration {}", p);
        }
        this.definition = d;
        this.problem = p;
    }

    public String name() {
        return name;
    }

    /** Why this configuration was refused, or null if it is valid. */
    public String problem() {
        return problem;
    }

    /** @throws IllegalArgumentException naming the allowed modes */
    public static LinkDefinition.Mode mode(String text) {
        try {
            return LinkDefinition.Mode.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("link mode '" + text + "' is not always-on, on-demand or scheduled", e);
        }
    }

    public LinkDefinition definition() {
        return definition;
    }
}
