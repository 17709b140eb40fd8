package io.ensemble.checker;

import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written histories for tests, one line per operation:
 * <pre>{@code
 * h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
 * h.op(2, 5, 20).read("/r").reads("a", 0, 0x10);
 * h.op(2, 30, HistoryBuilder.NEVER).write("/r", "b").info();
 * }</pre>
 * The session id doubles as the process id; times are arbitrary nanosecond values.
 */
final class HistoryBuilder {
    static final long NEVER = Long.MAX_VALUE;

    private final List<Operation> ops = new ArrayList<>();

    /** An operation of {@code session}, invoked at {@code invoke} and completed at {@code complete}. */
    Call op(long session, long invoke, long complete) {
        return new Call(session, invoke, complete);
    }

    History build() {
        return History.of(ops);
    }

    final class Call {
        private final long session;
        private final long invoke;
        private final long complete;

        private Call(long session, long invoke, long complete) {
            this.session = session;
            this.invoke = invoke;
            this.complete = complete;
        }

        Outcome read(String path) {
            return new Outcome(this, OpKind.READ, path, null, -1);
        }

        Outcome write(String path, String value) {
            return new Outcome(this, OpKind.WRITE, path, value, -1);
        }

        Outcome cas(String path, String value, int expectedVersion) {
            return new Outcome(this, OpKind.CAS, path, value, expectedVersion);
        }

        Outcome create(String path, String value) {
            return new Outcome(this, OpKind.CREATE, path, value, -1);
        }

        Outcome createSequential(String prefix, String value) {
            return new Outcome(this, OpKind.CREATE_SEQUENTIAL, prefix, value, -1);
        }

        Outcome delete(String path, int expectedVersion) {
            return new Outcome(this, OpKind.DELETE, path, null, expectedVersion);
        }
    }

    final class Outcome {
        private final Call call;
        private final OpKind kind;
        private final String path;
        private final String value;
        private final int expectedVersion;

        private Outcome(Call call, OpKind kind, String path, String value, int expectedVersion) {
            this.call = call;
            this.kind = kind;
            this.path = path;
            this.value = value;
            this.expectedVersion = expectedVersion;
        }

        /** An update that succeeded with this resulting version and zxid ({@link Result#UNKNOWN} if not known). */
        Operation ok(long version, long zxid) {
            return add(new Result.Ok(path, value, version, zxid));
        }

        /** A delete that succeeded. */
        Operation ok() {
            return add(new Result.Ok(path, null, Result.UNKNOWN, Result.UNKNOWN));
        }

        /** A read that returned this data, version and mzxid. */
        Operation reads(String data, long version, long mzxid) {
            return add(new Result.Ok(path, data, version, mzxid));
        }

        /** A sequential create that succeeded with this name. */
        Operation named(String name, long zxid) {
            return add(new Result.Ok(name, value, 0, zxid));
        }

        Operation fail(KeeperException.Code code) {
            return add(new Result.Fail(code));
        }

        Operation info() {
            return add(new Result.Info("CONNECTIONLOSS"));
        }

        private Operation add(Result result) {
            Operation op = new Operation(ops.size(), (int) call.session, call.session, kind, path, value,
                    expectedVersion, call.invoke, call.complete, result);
            ops.add(op);
            return op;
        }
    }
}
