package io.ensemble.faults;

import io.ensemble.checker.OpKind;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the recording workers of a {@link RecordedLoad} do.
 *
 * @param root             parent of the registers and the queue (created, recorded, before the load)
 * @param registers        znodes read, written and compare-and-set by every worker (created before the load)
 * @param queue            parent of the sequential creates
 * @param mix              how often each kind of operation is picked
 * @param opsPerSecond     pace of each worker
 * @param retryAfterLoss   whether a request that ended in connection loss or a timeout is tried again once the
 *                         client is connected again (false: the worker goes on with its next operation at once)
 * @param reconnectWait    how long a worker waits to be connected again before it gives the operation up
 * @param sessionTimeoutMs the session timeout the clients ask for
 */
record LoadPlan(String root, List<String> registers, String queue, Mix mix, int opsPerSecond, boolean retryAfterLoss,
                Duration reconnectWait, int sessionTimeoutMs) {
    LoadPlan {
        registers = List.copyOf(registers);
    }

    /**
     * Percentages of the logical operations a worker picks (they add up to 100). A compare-and-set is a read, then
     * setData with the version read.
     */
    record Mix(int reads, int writes, int compareAndSets, int sequentialCreates, int creates, int deletes) {
        /** Registers that always exist, contended by every worker. */
        static final Mix REGISTERS = new Mix(40, 25, 20, 15, 0, 0);
        /** Registers that are also deleted and created again: NONODE and NODEEXISTS are answers too. */
        static final Mix CHURN = new Mix(35, 35, 10, 5, 10, 5);

        Mix {
            if (reads + writes + compareAndSets + sequentialCreates + creates + deletes != 100) {
                throw new IllegalArgumentException("percentages do not add up to 100");
            }
        }

        boolean registersComeAndGo() {
            return creates + deletes > 0;
        }

        /** The kind of operation for a number from 0 to 99 (CAS: the logical compare-and-set). */
        OpKind pick(int percent) {
            int[] shares = {reads, writes, compareAndSets, sequentialCreates, creates, deletes};
            OpKind[] kinds = {OpKind.READ, OpKind.WRITE, OpKind.CAS, OpKind.CREATE_SEQUENTIAL, OpKind.CREATE,
                    OpKind.DELETE};
            int bound = 0;
            for (int i = 0; i < kinds.length; i++) {
                bound += shares[i];
                if (percent < bound) {
                    return kinds[i];
                }
            }
            throw new IllegalArgumentException(percent + " is not from 0 to 99");
        }
    }

    /** Four contended registers and a queue, 25 operations per second per worker, retries after a loss. */
    static LoadPlan standard(String root) {
        return new LoadPlan(root, registersUnder(root, 4), root + "/q", Mix.REGISTERS, 25, true, Duration.ofSeconds(60),
                20_000);
    }

    /**
     * Five registers that are also deleted and created again, 100 operations per second per worker, retries after a
     * loss: the busier load under which the crash, disk and clock scenarios must also get creates and deletes right.
     */
    static LoadPlan churning(String root, int sessionTimeoutMs) {
        return new LoadPlan(root, registersUnder(root, 5), root + "/q", Mix.CHURN, 100, true, Duration.ofSeconds(60),
                sessionTimeoutMs);
    }

    LoadPlan withoutRetries() {
        return new LoadPlan(root, registers, queue, mix, opsPerSecond, false, reconnectWait, sessionTimeoutMs);
    }

    LoadPlan withPace(int perSecond) {
        return new LoadPlan(root, registers, queue, mix, perSecond, retryAfterLoss, reconnectWait, sessionTimeoutMs);
    }

    private static List<String> registersUnder(String root, int n) {
        return IntStream.range(0, n).mapToObj(i -> root + "/r" + i).toList();
    }
}
