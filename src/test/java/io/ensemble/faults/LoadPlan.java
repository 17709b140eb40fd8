package io.ensemble.faults;

import java.time.Duration;
import java.util.List;

/**
 * What the recording workers of a {@link RecordedLoad} do.
 *
 * @param registers        znodes read, written and compare-and-set by every worker (created before the load)
 * @param queue            parent of the sequential creates
 * @param opsPerSecond     pace of each worker
 * @param retryAfterLoss   whether a request that ended in connection loss or a timeout is tried again once the
 *                         client is connected again (false: the worker goes on with its next operation at once)
 * @param reconnectWait    how long a worker waits to be connected again before it gives the operation up
 * @param sessionTimeoutMs the session timeout the clients ask for
 */
record LoadPlan(List<String> registers, String queue, int opsPerSecond, boolean retryAfterLoss,
                Duration reconnectWait, int sessionTimeoutMs) {
    LoadPlan {
        registers = List.copyOf(registers);
    }

    /** Four contended registers and a queue, 25 operations per second per worker, retries after a loss. */
    static LoadPlan standard(String root) {
        return new LoadPlan(List.of(root + "/r0", root + "/r1", root + "/r2", root + "/r3"), root + "/q", 25, true,
                Duration.ofSeconds(60), 20_000);
    }

    LoadPlan withoutRetries() {
        return new LoadPlan(registers, queue, opsPerSecond, false, reconnectWait, sessionTimeoutMs);
    }

    LoadPlan withPace(int perSecond) {
        return new LoadPlan(registers, queue, perSecond, retryAfterLoss, reconnectWait, sessionTimeoutMs);
    }
}
