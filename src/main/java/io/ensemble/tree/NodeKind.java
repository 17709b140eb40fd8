package io.ensemble.tree;

/**
 * How ZooKeeper encodes the node type in ephemeralOwner: a session id for ephemerals, {@code Long.MIN_VALUE}
 * for containers, and {@code 0xFF << 56 | ttl} for TTL nodes. Clients see 0 for everything but ephemerals.
 */
public final class NodeKind {
    public static final long CONTAINER = Long.MIN_VALUE;
    private static final long TTL_MASK = 0xFF00000000000000L;
    public static final long MAX_TTL = 0xFFFFFFFFFFL;

    private NodeKind() {
    }

    public static long ttlOwner(long ttl) {
        return TTL_MASK | ttl;
    }

    public static boolean isContainer(long owner) {
        return owner == CONTAINER;
    }

    public static boolean isTtl(long owner) {
        return owner != CONTAINER && (owner & TTL_MASK) == TTL_MASK;
    }

    public static long ttl(long owner) {
        return owner & ~TTL_MASK;
    }

    public static boolean isEphemeral(long owner) {
        return owner != 0 && !isContainer(owner) && !isTtl(owner);
    }

    public static long visibleOwner(long owner) {
        return isEphemeral(owner) ? owner : 0;
    }
}
