package io.ensemble.checker;

/**
 * The state of one znode as the linearizability model sees it: absent, or data + data version + the zxid of the last
 * change ({@link Result#UNKNOWN} when that change came from an indeterminate operation).
 */
record RegisterState(boolean exists, String value, long version, long mzxid) {
    static final RegisterState ABSENT = new RegisterState(false, null, -1, Result.UNKNOWN);

    static RegisterState of(TreeSnapshot.Node node) {
        return node == null ? ABSENT : new RegisterState(true, node.value(), node.version(), node.mzxid());
    }

    @Override
    public String toString() {
        return exists ? "\"" + value + "\" v" + version : "absent";
    }
}
