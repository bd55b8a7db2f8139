package org.bpsockets.backend.embedded.internal.commands;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Links, routes and contacts are named factory configurations ({@code PID~NAME}): the shell writes
 * them through ConfigAdmin, Karaf keeps them in etc/, and the node follows them.
 */
final class ConfigCommands {
    private ConfigCommands() {
    }

    static void put(ConfigurationAdmin admin, String pid, String name, Dictionary<String, Object> properties)
            throws IOException {
        properties.put("name", name);
        Configuration c = admin.getFactoryConfiguration(pid, name, "?");
        c.update(properties);
    }

    /** @return false if there was no such configuration */
    static boolean delete(ConfigurationAdmin admin, String pid, String name) throws IOException {
        Configuration c = admin.getFactoryConfiguration(pid, name, "?");
        boolean existed = c.getProperties() != null;
        c.delete();
        return existed;
    }

    static Dictionary<String, Object> properties() {
        return new Hashtable<>();
    }
}
