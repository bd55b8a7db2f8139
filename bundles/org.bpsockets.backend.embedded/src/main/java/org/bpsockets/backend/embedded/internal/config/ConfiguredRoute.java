package org.bpsockets.backend.embedded.internal.config;

import org.bpsockets.node.api.routing.RouteEntry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/** One static route: a factory configuration {@code org.bpsockets.node.route~NAME} (bp:route-add writes it). */
@Component(service = ConfiguredRoute.class, configurationPid = ConfiguredRoute.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ConfiguredRoute.Config.class, factory = true)
public final class ConfiguredRoute {

    public static final String PID = "org.bpsockets.node.route";

    @ObjectClassDefinition(name = "BP Sockets node route", description = "A static route of the embedded node.")
    public @interface Config {
        @AttributeDefinition(description = "The route's name; routes are tried in name order")
        String name();

        @AttributeDefinition(description = "Destination pattern: *, an EID, ipn:N.*, ipn:*.* or dtn://node/*")
        String pattern();

        @AttributeDefinition(description = "A link's name, or a peer node ID such as ipn:2.0")
        String nextHop();
    }

    private final String name;
    private final RouteEntry entry;
    private final String problem;

    /**
     * A hand-edited file with a bad value still activates: the node skips it and bp:routes says why. (A
     * next hop naming no configured link is shown there too, by the router, as it can change later.)
     */
    @Activate
    public ConfiguredRoute(Config config) {
        this.name = String.valueOf(config.name());
        RouteEntry e = null;
        String p = null;
        try {
            e = new RouteEntry(ConfigChecks.name("route", config.name()), config.pattern(), config.nextHop());
        } catch (IllegalArgumentException | NullPointerException ex) {
            p = PID + "~" + name + " refused: " + ex.getMessage();
            LoggerFactory.getLogger(ConfiguredRoute.class).warn("Configuration {}", p);
        }
        this.entry = e;
        this.problem = p;
    }

    public String name() {
        return name;
    }

    /** Why this configuration was refused, or null if it is valid. */
    public String problem() {
        return problem;
    }

    public RouteEntry entry() {
        return entry;
    }
}
