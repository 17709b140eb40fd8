package io.ensemble.storage;

/**
 * How far the request processor is, as snapshots need it: {@code applied} is the last zxid whose change is fully
 * in the tree (a snapshot is named by it); {@code issued} is the last zxid handed out, set before its change is
 * applied, so no change visible in the tree can have a higher zxid (a snapshot waits until the log holds it).
 */
public interface ZxidProgress {
    long applied();

    long issued();
}
