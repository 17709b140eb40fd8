package io.ensemble.checker;

/** What a recorded operation asked ZooKeeper to do. */
public enum OpKind {
    /** getData. */
    READ,
    /** setData with version -1: unconditional. */
    WRITE,
    /** setData with an expected version: compare-and-set. */
    CAS,
    /** create, persistent. */
    CREATE,
    /** create, persistent sequential: the server picks the name. */
    CREATE_SEQUENTIAL,
    /** delete, with version -1 (unconditional) or an expected version. */
    DELETE;

    /** Whether the operation changes the tree when it takes effect. */
    public boolean isUpdate() {
        return this != READ;
    }

    /** Lower-case name for reports. */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
