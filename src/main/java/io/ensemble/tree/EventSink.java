package io.ensemble.tree;

/** Receives watch events as transactions are applied, in order, so they can leave before the write's reply. */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = (watcher, type, path, zxid) -> { };

    void event(Watcher watcher, int type, String path, long zxid);
}
