package io.ensemble.tree;

/** How a watch was registered. STANDARD watches are one-shot; the persistent ones stay until removed. */
public enum WatchMode {
    STANDARD, PERSISTENT, PERSISTENT_RECURSIVE
}
