package org.bpsockets.cla.common.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** Instances of a Metatype configuration annotation: its defaults, with some values overridden. */
public final class TestConfigs {
    private TestConfigs() {
    }

    public static <A extends Annotation> A of(Class<A> type, Object... keyValues) {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        for (String k : values.keySet()) {
            try {
                type.getMethod(k);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no attribute " + k);
            }
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            switch (m.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return type.getSimpleName() + values;
                case "hashCode":
                    return values.hashCode();
                case "equals":
                    return p == args[0];
                default:
                    return values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue();
            }
        });
        return type.cast(proxy);
    }
}
