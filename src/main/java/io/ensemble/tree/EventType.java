package io.ensemble.tree;

/** WatcherEvent.type numbers the server sends. */
public final class EventType {
    public static final int NODE_CREATED = 1;
    public static final int NODE_DELETED = 2;
    public static final int NODE_DATA_CHANGED = 3;
    public static final int NODE_CHILDREN_CHANGED = 4;

    private EventType() {
    }
}
