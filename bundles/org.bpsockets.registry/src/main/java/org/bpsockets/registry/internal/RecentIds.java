package org.bpsockets.registry.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bpsockets.api.bundle.BundleId;

/** The most recent bundle IDs a socket accepted, oldest forgotten first. Not thread-safe. */
final class RecentIds {
    private final int capacity;
    private final LinkedHashMap<BundleId, Boolean> ids;

    RecentIds(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<BundleId, Boolean> eldest) {
                return size() > RecentIds.this.capacity;
            }
        };
    }

    void add(BundleId id) {
        if (capacity > 0) {
            ids.put(id, Boolean.TRUE);
        }
    }

    boolean contains(BundleId id) {
        return ids.containsKey(id);
    }
}
