package io.ensemble.config;

/**
 * How the transaction log and snapshots behave.
 *
 * @param snapCount          transactions between snapshots (each server picks a random point in its second half)
 * @param forceSync          whether each group commit is fsynced; off only for tests and benchmarks
 * @param snapRetainCount    snapshots autopurge keeps (at least 3)
 * @param purgeIntervalHours hours between autopurge runs; 0 turns autopurge off
 * @param preAllocBytes      the log file grows in blocks of this size, so an fsync rarely updates file metadata
 */
public record StorageConfig(int snapCount, boolean forceSync, int snapRetainCount, int purgeIntervalHours,
                            long preAllocBytes) {
    public static final StorageConfig DEFAULTS = new StorageConfig(100_000, true, 3, 0, 64L * 1024 * 1024);

    public StorageConfig {
        if (snapCount < 2) {
            throw new IllegalArgumentException("snapCount must be at least 2");
        }
        if (preAllocBytes < 1) {
            throw new IllegalArgumentException("preAllocBytes must be positive");
        }
        snapRetainCount = Math.max(3, snapRetainCount);
    }

    public StorageConfig withSnapCount(int n) {
        return new StorageConfig(n, forceSync, snapRetainCount, purgeIntervalHours, preAllocBytes);
    }

    public StorageConfig withForceSync(boolean sync) {
        return new StorageConfig(snapCount, sync, snapRetainCount, purgeIntervalHours, preAllocBytes);
    }
}
