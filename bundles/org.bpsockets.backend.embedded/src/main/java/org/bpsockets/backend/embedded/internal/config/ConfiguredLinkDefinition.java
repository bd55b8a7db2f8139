package org.bpsockets.backend.embedded.internal.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.bpsockets.backend.embedded.internal.LinkDefinition;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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

    private final LinkDefinition definition;

    @Activate
    public ConfiguredLinkDefinition(Config config) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : config.parameters()) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("link parameter '" + p + "' is not key=value");
            }
            params.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        this.definition = new LinkDefinition(config.name(), config.cla(), config.address(), mode(config.mode()),
                params);
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
