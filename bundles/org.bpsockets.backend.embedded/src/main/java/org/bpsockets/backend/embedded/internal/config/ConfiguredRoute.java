package org.bpsockets.backend.embedded.internal.config;

import org.bpsockets.node.api.routing.RouteEntry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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

    private final RouteEntry entry;

    @Activate
    public ConfiguredRoute(Config config) {
        this.entry = new RouteEntry(config.name(), config.pattern(), config.nextHop());
    }

    public RouteEntry entry() {
        return entry;
    }
}
