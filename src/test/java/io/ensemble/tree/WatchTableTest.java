package io.ensemble.tree;

import io.ensemble.wire.Id;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** One watch table on its own: modes, consumption, recursion and removal. */
class WatchTableTest {
    private static final WatchMode STD = WatchMode.STANDARD;
    private static final WatchMode PER = WatchMode.PERSISTENT;
    private static final WatchMode REC = WatchMode.PERSISTENT_RECURSIVE;

    static final class W implements Watcher {
        private final String name;

        W(String name) {
            this.name = name;
        }

        @Override
        public Collection<Id> authIds() {
            return List.of();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final WatchTable table = new WatchTable();
    private final W a = new W("a");
    private final W b = new W("b");
    private final W c = new W("c");

    @Test
    void standardWatchIsOneShot() {
        table.add("/x", a, STD);
        assertThat(table.trigger("/x", EventType.NODE_DATA_CHANGED)).containsExactly(a);
        assertThat(table.trigger("/x", EventType.NODE_DATA_CHANGED)).isEmpty();
        assertThat(table.size()).isZero();
        assertThat(table.pathCount()).isZero();
        assertThat(table.pathsByWatcher()).isEmpty();
    }

    @Test
    void registrationIsIdempotent() {
        table.add("/x", a, STD);
        table.add("/x", a, STD);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.trigger("/x", EventType.NODE_DELETED)).containsExactly(a);
        assertThat(table.size()).isZero();
    }

    @Test
    void persistentWatchStaysForEveryEventType() {
        table.add("/x", a, PER);
        for (int type : new int[]{EventType.NODE_CREATED, EventType.NODE_DATA_CHANGED,
                EventType.NODE_CHILDREN_CHANGED, EventType.NODE_DELETED}) {
            assertThat(table.trigger("/x", type)).containsExactly(a);
        }
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.trigger("/x/y", EventType.NODE_CREATED)).as("not recursive").isEmpty();
    }

    @Test
    void recursiveWatchReachesDescendantsNotSiblingsAndNeverChildrenChanged() {
        table.add("/a", a, REC);
        assertThat(table.trigger("/a", EventType.NODE_DATA_CHANGED)).containsExactly(a);
        assertThat(table.trigger("/a/b", EventType.NODE_CREATED)).containsExactly(a);
        assertThat(table.trigger("/a/b/c/d", EventType.NODE_DELETED)).containsExactly(a);
        assertThat(table.trigger("/ab", EventType.NODE_CREATED)).isEmpty();
        assertThat(table.trigger("/", EventType.NODE_DATA_CHANGED)).isEmpty();
        assertThat(table.trigger("/a", EventType.NODE_CHILDREN_CHANGED)).isEmpty();
        assertThat(table.trigger("/a/b", EventType.NODE_CHILDREN_CHANGED)).isEmpty();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void recursiveWatchOnRootSeesEverything() {
        table.add("/", a, REC);
        assertThat(table.trigger("/zookeeper/config", EventType.NODE_DATA_CHANGED)).containsExactly(a);
        assertThat(table.trigger("/", EventType.NODE_DATA_CHANGED)).containsExactly(a);
    }

    @Test
    void standardWatchesOnAncestorsAreNotTriggered() {
        table.add("/a", a, STD);
        table.add("/a", b, PER);
        assertThat(table.trigger("/a/b", EventType.NODE_CREATED)).isEmpty();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void oneEntryPerWatcherPerTriggerInRegistrationOrder() {
        table.add("/", c, REC);
        table.add("/a", b, STD);
        table.add("/a", a, STD);
        table.add("/a", a, PER);
        table.add("/a", b, REC);
        table.add("/", a, REC);
        Set<Watcher> fired = table.trigger("/a", EventType.NODE_DATA_CHANGED);
        assertThat(fired).containsExactly(b, a, c);
        assertThat(table.contains("/a", a, m -> m == STD)).isFalse();
        assertThat(table.contains("/a", a, m -> m == PER)).isTrue();
        assertThat(table.contains("/a", b, m -> m == STD)).isFalse();
        assertThat(table.contains("/a", b, m -> m == REC)).isTrue();
    }

    @Test
    void removeAndContainsByMode() {
        table.add("/x", a, STD);
        table.add("/x", a, PER);
        table.add("/x", b, REC);
        assertThat(table.contains("/x", a, m -> m == STD)).isTrue();
        assertThat(table.contains("/x", a, m -> m == REC)).isFalse();
        assertThat(table.contains("/y", a, m -> true)).isFalse();
        assertThat(table.contains("/x", c, m -> true)).isFalse();

        assertThat(table.remove("/x", a, m -> m == REC)).isFalse();
        assertThat(table.remove("/x", a, m -> m == STD)).isTrue();
        assertThat(table.remove("/x", a, m -> m == STD)).isFalse();
        assertThat(table.contains("/x", a, m -> m == PER)).isTrue();
        assertThat(table.remove("/x", c, m -> true)).isFalse();
        assertThat(table.remove("/nope", a, m -> true)).isFalse();

        assertThat(table.remove("/x", b, m -> m == REC)).isTrue();
        assertThat(table.trigger("/x/child", EventType.NODE_CREATED)).as("recursive watch gone").isEmpty();
        assertThat(table.remove("/x", a, m -> true)).isTrue();
        assertThat(table.size()).isZero();
        assertThat(table.pathCount()).isZero();
        assertThat(table.pathsByWatcher()).isEmpty();
    }

    @Test
    void removeWatcherDropsAllItsPaths() {
        table.add("/x", a, STD);
        table.add("/y", a, REC);
        table.add("/z", a, PER);
        table.add("/x", b, STD);
        assertThat(table.pathsByWatcher()).isEqualTo(Map.of(a, Set.of("/x", "/y", "/z"), b, Set.of("/x")));
        table.removeWatcher(a);
        table.removeWatcher(a);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.pathsByWatcher()).isEqualTo(Map.of(b, Set.of("/x")));
        assertThat(table.trigger("/y/q", EventType.NODE_CREATED)).isEmpty();
        assertThat(table.trigger("/x", EventType.NODE_CREATED)).containsExactly(b);
        // the table still works for recursive watches added afterwards
        table.add("/y", c, REC);
        assertThat(table.trigger("/y/q", EventType.NODE_CREATED)).containsExactly(c);
    }

    @Test
    void triggeringConsumesOnlyThePathThatFired() {
        table.add("/x", a, STD);
        table.add("/y", a, STD);
        table.trigger("/x", EventType.NODE_DELETED);
        assertThat(table.pathsByWatcher()).isEqualTo(Map.of(a, Set.of("/y")));
        assertThat(table.trigger("/y", EventType.NODE_DELETED)).containsExactly(a);
    }
}
