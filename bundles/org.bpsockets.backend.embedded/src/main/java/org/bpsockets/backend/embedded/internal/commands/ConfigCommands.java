package org.bpsockets.backend.embedded.internal.commands;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Optional;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Links, routes and contacts are named factory configurations: the shell writes each as a file
 * {@code etc/PID-NAME.cfg}, where an operator sees and edits it and where it survives a rebuild of the
 * distribution, and gives it to ConfigAdmin at once with the file's name
 * ({@code felix.fileinstall.filename}), so that Felix FileInstall recognises it as that file's and
 * follows later edits of the file (docs/decisions/0012).
 */
final class ConfigCommands {
    static final String FILE_NAME = "felix.fileinstall.filename";

    private ConfigCommands() {
    }

    /** The configuration of that factory with that name, whoever made it (the shell or FileInstall). */
    static Optional<Configuration> find(ConfigurationAdmin admin, String pid, String name) throws IOException {
        try {
            Configuration[] found = admin.listConfigurations("(&(service.factoryPid=" + pid + ")(name="
                    + escape(name) + "))");
            return found == null || found.length == 0 ? Optional.empty() : Optional.of(found[0]);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("name '" + name + "' cannot be looked up: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code etc/PID-NAME.cfg} and the configuration.
     *
     * @throws IllegalArgumentException if it exists and {@code replace} is false
     */
    static void put(ConfigurationAdmin admin, String pid, String what, String name,
            Dictionary<String, Object> properties, boolean replace) throws IOException {
        Optional<Configuration> existing = find(admin, pid, name);
        if (existing.isPresent() && !replace) {
            throw new IllegalArgumentException(what + " '" + name + "' exists (" + describe(existing.get())
                    + "); give --replace to change it, or choose another name");
        }
        properties.put("name", name);
        Configuration c = existing.isPresent() ? existing.get() : admin.getFactoryConfiguration(pid, name, "?");
        Path file = fileOf(c).orElse(etc().resolve(pid + "-" + name + ".cfg"));
        write(file, properties);
        properties.put(FILE_NAME, file.toUri().toString());
        c.update(properties);
    }

    /** @return false if there was no such configuration */
    static boolean delete(ConfigurationAdmin admin, String pid, String name) throws IOException {
        Optional<Configuration> c = find(admin, pid, name);
        if (c.isEmpty()) {
            return false;
        }
        Optional<Path> file = fileOf(c.get());
        if (file.isPresent()) {
            Files.deleteIfExists(file.get()); // first: FileInstall would bring the configuration back
        }
        c.get().delete();
        return true;
    }

    static Dictionary<String, Object> properties() {
        return new Hashtable<>();
    }

    private static Path etc() {
        String etc = System.getProperty("karaf.etc");
        return Path.of(etc == null ? "etc" : etc);
    }

    private static Optional<Path> fileOf(Configuration c) {
        Dictionary<String, Object> p = c.getProperties();
        Object f = p == null ? null : p.get(FILE_NAME);
        if (f == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(java.net.URI.create(f.toString())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A plain properties file, as Karaf's own .cfg files are; an array (layer parameters) is written as
     * one comma-separated value, which is how FileInstall gives a .cfg value back.
     */
    private static void write(Path file, Dictionary<String, Object> properties) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        java.util.Properties p = new java.util.Properties();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            Object v = properties.get(k);
            if (!k.equals(FILE_NAME)) {
                p.setProperty(k, v instanceof String[] a ? String.join(",", a) : String.valueOf(v));
            }
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Written by the bp: shell; edit freely (the node follows), or use bp:*-add --replace / bp:*-del");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String describe(Configuration c) {
        Dictionary<String, Object> p = c.getProperties();
        if (p == null) {
            return "empty";
        }
        StringBuilder sb = new StringBuilder();
        for (String k : new String[] {"cla", "address", "mode", "pattern", "nextHop", "link", "start", "end"}) {
            Object v = p.get(k);
            if (v != null) {
                sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v);
            }
        }
        return sb.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\5c").replace("*", "\\2a").replace("(", "\\28").replace(")", "\\29");
    }
}
