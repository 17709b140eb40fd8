package io.ensemble.wire;

/** An identity: scheme plus id, e.g. {@code digest:alice:hash} or {@code ip:127.0.0.1}. */
public record Id(String scheme, String id) {
    public static final Id ANYONE = new Id("world", "anyone");
}
