package org.bpsockets.cla.common.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.bpsockets.cla.common.CheckedConfig;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.helpers.NOPLogger;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * The fuzz target body for a stream layer's configuration parser, {@link CheckedConfig}: ConfigAdmin
 * properties of every type it can deliver (String, Boolean, Long, Integer, String[], Long[]), for the
 * layer's own attributes and others, checked against the layer's real metatype. The metatype is the one
 * bnd generated into the layer's {@code OSGI-INF/metatype/<pid>.xml}, read and validated by Apache Felix
 * Metatype (the implementation Karaf runs), so this fuzzes the whole path a hand-edited
 * {@code etc/<pid>.cfg} takes before the layer uses it.
 *
 * <p>Invariants: nothing is thrown; a configuration is refused exactly when some value is invalid, and then
 * the layer runs with a complete configuration (the last valid one or the defaults) and the refusal names
 * each bad key and value; an accepted configuration has every value of the layer's attributes of the
 * attribute's type (as Java parses it, which is what DS does) and within the metatype's min, max and
 * options, so the layer may rely on them.
 */
public final class LayerConfigFuzzing {
    /** Properties ConfigAdmin and fileinstall add to every configuration. */
    private static final List<String> FOREIGN_KEYS = List.of("service.pid", "felix.fileinstall.filename", "other");

    private static final Map<String, MetaTypeService> METATYPES = new java.util.concurrent.ConcurrentHashMap<>();

    private LayerConfigFuzzing() {
    }

    /**
     * The layer's metatype, as Felix Metatype reads it from the class path ({@code target/classes}); read
     * once per PID.
     */
    public static MetaTypeService metaType(Class<?> anchor, String pid) {
        return METATYPES.computeIfAbsent(pid, p -> read(anchor, p));
    }

    private static MetaTypeService read(Class<?> anchor, String pid) {
        URL xml = anchor.getClassLoader().getResource("OSGI-INF/metatype/" + pid + ".xml");
        assertNotNull(xml, "bnd generates OSGI-INF/metatype/" + pid + ".xml (build the module first)");
        MetaData md;
        try {
            md = new MetaDataReader().parse(xml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OCD ocd = (OCD) md.getObjectClassDefinitions().get(pid);
        assertNotNull(ocd, "an OCD " + pid + " in " + xml);
        ObjectClassDefinition definition = new Definition(ocd);
        MetaTypeInformation info = (MetaTypeInformation) java.lang.reflect.Proxy.newProxyInstance(
                LayerConfigFuzzing.class.getClassLoader(), new Class<?>[] {MetaTypeInformation.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getObjectClassDefinition" -> pid.equals(args[0]) ? definition : null;
                    case "getPids" -> new String[] {pid};
                    case "getFactoryPids", "getLocales" -> new String[0];
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> "metatype of " + pid;
                    default -> null;
                });
        return new MetaTypeService() {
            @Override
            public MetaTypeInformation getMetaTypeInformation(Bundle bundle) {
                return info;
            }
        };
    }

    /** One input: properties from the fuzzer's choices through {@link CheckedConfig#of}. */
    public static <A extends Annotation> void run(FuzzedDataProvider data, String pid, Class<A> type,
            MetaTypeService metaType) {
        ObjectClassDefinition ocd = metaType.getMetaTypeInformation(null).getObjectClassDefinition(pid, null);
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        List<String> keys = new ArrayList<>();
        for (AttributeDefinition ad : ads) {
            keys.add(ad.getID());
        }
        keys.addAll(FOREIGN_KEYS);
        Map<String, Object> raw = new HashMap<>();
        int n = data.consumeInt(0, keys.size());
        for (int i = 0; i < n; i++) {
            raw.put(data.pickValue(keys), value(data));
        }
        A typed = TestConfigs.of(type);
        A defaults = CheckedConfig.defaults(type);
        CheckedConfig<A> checked = CheckedConfig.of(pid, typed, defaults, raw, metaType, null,
                NOPLogger.NOP_LOGGER);
        List<String> problems = CheckedConfig.problems(pid, raw, metaType, null);
        assertNotNull(checked.config(), "a configuration to run with");
        if (problems.isEmpty()) {
            assertNull(checked.problem(), "accepted");
            assertSame(typed, checked.config(), "an accepted configuration is the one used");
            for (AttributeDefinition ad : ads) {
                Object value = raw.get(ad.getID());
                if (value != null) {
                    for (String v : strings(value)) {
                        assertValid(ad, v);
                    }
                }
            }
        } else {
            assertNotNull(checked.problem(), "refused");
            assertNotSame(typed, checked.config(), "a refused configuration is not used");
            assertTrue(checked.problem().startsWith(pid + ": "), checked.problem());
            for (String p : problems) {
                String key = p.substring(0, Math.max(0, p.indexOf(" = '")));
                assertTrue(raw.containsKey(key) && keys.contains(key), "a refusal names a given key: " + p);
                assertTrue(p.contains(": use "), "a refusal says what is valid: " + p);
                assertTrue(checked.problem().contains(p), "every bad value is in the refusal: " + p);
            }
        }
    }

    private static Object value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 6)) {
            case 0 -> data.consumeBoolean();
            case 1 -> data.consumeLong();
            case 2 -> data.consumeInt();
            case 3 -> new String[] {data.consumeString(32), data.consumeString(32)};
            case 4 -> new Long[] {data.consumeLong()};
            case 5 -> Long.toString(data.consumeLong()) + data.consumeString(4);
            default -> data.consumeString(64);
        };
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

    /** What the layer relies on for a value its metatype accepted. */
    private static void assertValid(AttributeDefinition ad, String v) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) {
            assertTrue(Arrays.asList(options).contains(v), ad.getID() + " = '" + v + "' is one of its options");
        }
        AD def = ((Definition.Attribute) ad).ad;
        switch (ad.getType()) {
            case AttributeDefinition.BOOLEAN -> assertTrue(v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"),
                    ad.getID() + " = '" + v + "' is a boolean");
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG -> {
                long x;
                try {
                    x = ad.getType() == AttributeDefinition.INTEGER ? Integer.parseInt(v) : Long.parseLong(v);
                } catch (NumberFormatException e) {
                    fail(ad.getID() + " = '" + v + "' was accepted but is not a number DS can read");
                    return;
                }
                if (def.getMin() != null) {
                    assertTrue(x >= Long.parseLong(def.getMin()), ad.getID() + " = " + x + " below min " + def.getMin());
                }
                if (def.getMax() != null) {
                    assertTrue(x <= Long.parseLong(def.getMax()), ad.getID() + " = " + x + " above max " + def.getMax());
                }
            }
            default -> {
                // String and Password: any text
            }
        }
    }

    /** Felix's OCD and ADs behind the OSGi interfaces, as its MetaTypeService hands them out. */
    private static final class Definition implements ObjectClassDefinition {
        private final OCD ocd;
        private final AttributeDefinition[] ads;

        Definition(OCD ocd) {
            this.ocd = ocd;
            @SuppressWarnings("unchecked")
            Map<String, AD> map = ocd.getAttributeDefinitions();
            this.ads = map.values().stream().map(Attribute::new).toArray(AttributeDefinition[]::new);
        }

        @Override
        public String getName() {
            return ocd.getName();
        }

        @Override
        public String getID() {
            return ocd.getID();
        }

        @Override
        public String getDescription() {
            return ocd.getDescription();
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return ads.clone();
        }

        @Override
        public java.io.InputStream getIcon(int size) {
            return null;
        }

        private static final class Attribute implements AttributeDefinition {
            final AD ad;

            Attribute(AD ad) {
                this.ad = ad;
            }

            @Override
            public String getName() {
                return ad.getName();
            }

            @Override
            public String getID() {
                return ad.getID();
            }

            @Override
            public String getDescription() {
                return ad.getDescription();
            }

            @Override
            public int getCardinality() {
                return ad.getCardinality();
            }

            @Override
            public int getType() {
                return ad.getType();
            }

            @Override
            public String[] getOptionValues() {
                return ad.getOptionValues();
            }

            @Override
            public String[] getOptionLabels() {
                return ad.getOptionLabels();
            }

            /** As Felix's LocalizedAttributeDefinition: AD.validate, its message localized (here: as is). */
            @Override
            public String validate(String value) {
                return ad.validate(value);
            }

            @Override
            public String[] getDefaultValue() {
                return ad.getDefaultValue();
            }
        }
    }
}
