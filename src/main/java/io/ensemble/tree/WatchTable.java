package io.ensemble.tree;

import java.util.LinkedHashSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One of ZooKeeper's two watch tables (data or child): path → watcher → modes. A watcher holds at most one
 * entry per path with a set of modes, so one trigger gives one event per watcher.
 */
public final class WatchTable {
    private final Map<String, Map<Watcher, EnumSet<WatchMode>>> byPath = new HashMap<>();
    private final Map<Watcher, Set<String>> byWatcher = new HashMap<>();
    private int recursiveCount;

    public void add(String path, Watcher watcher, WatchMode mode) {
        EnumSet<WatchMode> modes = byPath.computeIfAbsent(path, p -> new LinkedHashMap<>())
                .computeIfAbsent(watcher, w -> EnumSet.noneOf(WatchMode.class));
        if (modes.add(mode) && mode == WatchMode.PERSISTENT_RECURSIVE) {
            recursiveCount++;
        }
        byWatcher.computeIfAbsent(watcher, w -> new HashSet<>()).add(path);
    }

    /**
     * Fires a trigger at a path: consumes STANDARD watches there, keeps persistent ones, and (unless the event is
     * a child change) reaches PERSISTENT_RECURSIVE watches on every ancestor.
     *
     * @return the watchers to notify, once each, in registration order
     */
    public Set<Watcher> trigger(String path, int eventType) {
        Set<Watcher> out = new LinkedHashSet<>();
        Map<Watcher, EnumSet<WatchMode>> here = byPath.get(path);
        if (here != null) {
            for (var it = here.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                EnumSet<WatchMode> modes = e.getValue();
                if (modes.remove(WatchMode.STANDARD)) {
                    out.add(e.getKey());
                }
                if (modes.contains(WatchMode.PERSISTENT) || (modes.contains(WatchMode.PERSISTENT_RECURSIVE)
                        && eventType != EventType.NODE_CHILDREN_CHANGED)) {
                    out.add(e.getKey());
                }
                if (modes.isEmpty()) {
                    it.remove();
                    forgetPath(e.getKey(), path);
                }
            }
            if (here.isEmpty()) {
                byPath.remove(path);
            }
        }
        if (recursiveCount > 0 && eventType != EventType.NODE_CHILDREN_CHANGED) {
            for (String p = PathUtil.parent(path); p != null; p = PathUtil.parent(p)) {
                Map<Watcher, EnumSet<WatchMode>> above = byPath.get(p);
                if (above != null) {
                    above.forEach((w, modes) -> {
                        if (modes.contains(WatchMode.PERSISTENT_RECURSIVE)) {
                            out.add(w);
                        }
                    });
                }
            }
        }
        return out;
    }

    /** Removes the watcher's registrations at a path whose mode passes the filter; true if any was removed. */
    public boolean remove(String path, Watcher watcher, Predicate<WatchMode> which) {
        Map<Watcher, EnumSet<WatchMode>> here = byPath.get(path);
        EnumSet<WatchMode> modes = here == null ? null : here.get(watcher);
        if (modes == null) {
            return false;
        }
        boolean hadRecursive = modes.contains(WatchMode.PERSISTENT_RECURSIVE);
        boolean removed = modes.removeIf(which);
        if (hadRecursive && !modes.contains(WatchMode.PERSISTENT_RECURSIVE)) {
            recursiveCount--;
        }
        if (modes.isEmpty()) {
            here.remove(watcher);
            forgetPath(watcher, path);
            if (here.isEmpty()) {
                byPath.remove(path);
            }
        }
        return removed;
    }

    /** Whether the watcher has a registration at the path whose mode passes the filter. */
    public boolean contains(String path, Watcher watcher, Predicate<WatchMode> which) {
        Map<Watcher, EnumSet<WatchMode>> here = byPath.get(path);
        EnumSet<WatchMode> modes = here == null ? null : here.get(watcher);
        return modes != null && modes.stream().anyMatch(which);
    }

    /** Drops every registration of a watcher (its connection closed). */
    public void removeWatcher(Watcher watcher) {
        Set<String> paths = byWatcher.remove(watcher);
        if (paths == null) {
            return;
        }
        for (String path : paths) {
            Map<Watcher, EnumSet<WatchMode>> here = byPath.get(path);
            if (here == null) {
                continue;
            }
            EnumSet<WatchMode> modes = here.remove(watcher);
            if (modes != null && modes.contains(WatchMode.PERSISTENT_RECURSIVE)) {
                recursiveCount--;
            }
            if (here.isEmpty()) {
                byPath.remove(path);
            }
        }
    }

    private void forgetPath(Watcher watcher, String path) {
        Set<String> paths = byWatcher.get(watcher);
        if (paths != null) {
            paths.remove(path);
            if (paths.isEmpty()) {
                byWatcher.remove(watcher);
            }
        }
    }

    /** Number of (path, watcher) registrations. */
    public int size() {
        int n = 0;
        for (Map<Watcher, EnumSet<WatchMode>> m : byPath.values()) {
            n += m.size();
        }
        return n;
    }

    public int pathCount() {
        return byPath.size();
    }

    /** Paths watched by each watcher, for the wchc / wchp reports. */
    public Map<Watcher, Set<String>> pathsByWatcher() {
        Map<Watcher, Set<String>> copy = new HashMap<>();
        byWatcher.forEach((w, p) -> copy.put(w, Set.copyOf(p)));
        return copy;
    }
}
