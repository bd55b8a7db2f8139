package org.bpsockets.cla.common;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;

/**
 * A layer's configuration, checked against its own metatype (types, min, max, options) before the
 * layer uses it. ConfigAdmin cannot refuse a value and DS turns an unparsable number into its default
 * silently; so a configuration with a bad value is refused with a WARN naming key, value and what is
 * valid, and the layer runs with the last valid configuration it had (or its defaults), keeping its
 * service, so links never see "layer not installed" because of a typo (docs/decisions/0012).
 *
 * @param <A> the layer's configuration type
 */
public final class CheckedConfig<A> {
    /** The last valid configuration of each PID while the layer's bundle runs. */
    private static final Map<String, Object> LAST_VALID = new ConcurrentHashMap<>();

    private final A config;
    private final String problem;

    private CheckedConfig(A config, String problem) {
        this.config = config;
        this.problem = problem;
    }

    /** The configuration to run with. */
    public A config() {
        return config;
    }

    /** Why the given configuration was refused, or null if it is the one in use. */
    public String problem() {
        return problem;
    }

    /**
     * @param typed what DS made of the raw properties
     * @param defaults the configuration type's defaults, for when nothing valid was ever given
     */
    public static <A> CheckedConfig<A> of(String pid, A typed, A defaults, Map<String, ?> raw, MetaTypeService metaType,
            Bundle bundle, Logger log) {
        List<String> bad = problems(pid, raw, metaType, bundle);
        if (bad.isEmpty()) {
            LAST_VALID.put(pid, typed);
            return new CheckedConfig<>(typed, null);
        }
        @SuppressWarnings("unchecked")
        A last = (A) LAST_VALID.get(pid);
        A use = last != null ? last : defaults;
        String problem = pid + ": " + String.join("; ", bad);
        log.warn("Configuration refused: {}; the layer runs with its {} configuration", problem,
                use == last ? "last valid" : "default");
        return new CheckedConfig<>(use, problem);
    }

    /** A configuration used as given, unchecked: for tests and benchmarks that build layers directly. */
    public static <A> CheckedConfig<A> trusted(A config) {
        return new CheckedConfig<>(config, null);
    }

    /** A configuration of that type with every attribute at its default (as DS gives without properties). */
    public static <A> A defaults(Class<A> type) {
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    switch (method.getName()) {
                        case "annotationType":
                            return type;
                        case "hashCode":
                            return System.identityHashCode(self);
                        case "equals":
                            return self == args[0];
                        case "toString":
                            return type.getSimpleName() + "(defaults)";
                        default:
                            return method.getDefaultValue();
                    }
                });
        return type.cast(proxy);
    }

    /** Each raw value that its attribute definition does not accept, said with what it accepts. */
    public static List<String> problems(String pid, Map<String, ?> raw, MetaTypeService metaType, Bundle bundle) {
        List<String> bad = new ArrayList<>();
        MetaTypeInformation info = metaType == null ? null : metaType.getMetaTypeInformation(bundle);
        ObjectClassDefinition ocd = info == null ? null : info.getObjectClassDefinition(pid, null);
        if (ocd == null) {
            return bad;
        }
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            Object value = raw.get(ad.getID());
            if (value == null) {
                continue;
            }
            for (String v : strings(value)) {
                String why = ad.validate(v);
                if ((why == null || why.isEmpty()) && !readAsWritten(ad.getType(), v)) {
                    // Felix Metatype trims before it checks; DS (Felix SCR) does not: the layer's first read
                    // of "5 " throws a ComponentException, and "true " reads as false, without a word.
                    why = "DS reads the value as written: no spaces around it";
                }
                if (why != null && !why.isEmpty()) {
                    bad.add(ad.getID() + " = '" + v + "' is not valid (" + why + "): use " + valid(ad));
                }
            }
        }
        return bad;
    }

    /** Whether DS (Felix SCR's coercion) reads the text as the attribute's type, as Metatype did. */
    private static boolean readAsWritten(int type, String v) {
        try {
            switch (type) {
                case AttributeDefinition.BOOLEAN:
                    return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
                case AttributeDefinition.INTEGER:
                    Integer.parseInt(v);
                    return true;
                case AttributeDefinition.LONG:
                    Long.parseLong(v);
                    return true;
                case AttributeDefinition.SHORT:
                    Short.parseShort(v);
                    return true;
                case AttributeDefinition.BYTE:
                    Byte.parseByte(v);
                    return true;
                case AttributeDefinition.DOUBLE:
                case AttributeDefinition.FLOAT:
                    return v.equals(v.trim()) && !v.isEmpty();
                default:
                    return true;
            }
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(String.valueOf(Array.get(value, i)));
            }
        } else {
            out.add(String.valueOf(value));
        }
        return out;
    }

    private static String valid(AttributeDefinition ad) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) {
            return "one of " + String.join(", ", options);
        }
        switch (ad.getType()) {
            case AttributeDefinition.BOOLEAN:
                return "true or false";
            case AttributeDefinition.INTEGER:
            case AttributeDefinition.LONG:
            case AttributeDefinition.SHORT:
            case AttributeDefinition.BYTE:
                return "a whole number" + described(ad);
            case AttributeDefinition.DOUBLE:
            case AttributeDefinition.FLOAT:
                return "a number" + described(ad);
            default:
                return ad.getDescription() == null ? "a valid value" : ad.getDescription();
        }
    }

    /** The attribute's own description in brackets (the metatype's range is in what validate() said). */
    private static String described(AttributeDefinition ad) {
        return ad.getDescription() == null ? "" : " (" + ad.getDescription() + ")";
    }
}
