package io.ensemble.checker;

import java.util.Objects;

/**
 * One recorded client operation.
 *
 * @param id              unique within its history
 * @param process         the logical client that issued it ({@link #FINAL_PROCESS} for the checker's own final reads)
 * @param session         the ZooKeeper session id it was sent on
 * @param kind            what it asked for
 * @param path            the znode; for a sequential create, the requested prefix
 * @param value           the data written (creates and setData), else null
 * @param expectedVersion the expected version of a CAS or versioned delete; -1 when unconditional
 * @param invokeNanos     when the client issued it
 * @param completeNanos   when its reply (or error) arrived; {@link Long#MAX_VALUE} if it never did
 * @param result          what the client saw
 */
public record Operation(int id, int process, long session, OpKind kind, String path, String value,
                        int expectedVersion, long invokeNanos, long completeNanos, Result result) {
    /** The process of the synthetic reads that stand for the final, healed state. */
    public static final int FINAL_PROCESS = -1;

    public Operation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(result, "result");
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("op " + id + " completes before it is invoked");
        }
    }

    public boolean isOk() {
        return result instanceof Result.Ok;
    }

    public boolean isFail() {
        return result instanceof Result.Fail;
    }

    public boolean isInfo() {
        return result instanceof Result.Info;
    }

    /** An update that the client saw succeed. */
    public boolean isAcknowledgedUpdate() {
        return kind.isUpdate() && isOk();
    }

    /**
     * The znode this operation is about: the requested path, except for a sequential create, whose node is only known
     * from a successful reply (null otherwise).
     */
    public String register() {
        if (kind != OpKind.CREATE_SEQUENTIAL) {
            return path;
        }
        return result instanceof Result.Ok ok ? ok.path() : null;
    }

    /** The zxid the reply carried, or {@link Result#UNKNOWN}. */
    public long zxid() {
        return switch (result) {
            case Result.Ok ok -> ok.zxid();
            case Result.Info info -> info.zxid();
            case Result.Fail ignored -> Result.UNKNOWN;
        };
    }

    public boolean isFinalRead() {
        return process == FINAL_PROCESS;
    }

    public Operation withResult(Result newResult) {
        return new Operation(id, process, session, kind, path, value, expectedVersion, invokeNanos, completeNanos,
                newResult);
    }

    public Operation withCompleteNanos(long newComplete) {
        return new Operation(id, process, session, kind, path, value, expectedVersion, invokeNanos, newComplete,
                result);
    }

    @Override
    public String toString() {
        return HistoryFormatter.line(this, 0);
    }
}
