package io.ensemble.tree;

import io.ensemble.wire.Id;

import java.util.Collection;

/** Whoever holds watches: a client connection. Events are handed to the {@link EventSink} in trigger order. */
public interface Watcher {
    /** Identities used to filter events by the node's READ permission. */
    Collection<Id> authIds();
}
