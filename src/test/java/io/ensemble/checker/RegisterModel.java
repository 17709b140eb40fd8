package io.ensemble.checker;

import org.apache.zookeeper.KeeperException.Code;

import java.util.Objects;

/**
 * The sequential specification of one znode. Each method returns the state after the operation takes effect at that
 * point of a linearization, or null if it cannot take effect there with the outcome the client saw.
 */
final class RegisterModel {
    private RegisterModel() {
    }

    /**
     * Whether the outcome says anything about the znode. Indeterminate reads and errors such as NoNode on create
     * (the parent is missing) or NoAuth do not; the search leaves them out.
     */
    static boolean constrains(Operation op) {
        return switch (op.result()) {
            case Result.Ok ignored -> true;
            case Result.Info ignored -> op.kind().isUpdate();
            case Result.Fail fail -> failureCondition(op, fail.code()) != null;
        };
    }

    /** Whether the operation leaves the state as it is whenever it applies. */
    static boolean isPure(Operation op) {
        return op.kind() == OpKind.READ || op.isFail();
    }

    /**
     * The state after {@code op}; {@code exactZxid} says the read's mzxid names a known update, so a state written by
     * an indeterminate update (unknown zxid) cannot be what it saw.
     */
    static RegisterState apply(Operation op, RegisterState s, boolean exactZxid) {
        return switch (op.result()) {
            case Result.Ok ok -> applyOk(op, ok, s, exactZxid);
            case Result.Fail fail -> failureCondition(op, fail.code()).holds(op, s) ? s : null;
            case Result.Info info -> applyIndeterminate(op, info.zxid(), s);
        };
    }

    private static RegisterState applyOk(Operation op, Result.Ok ok, RegisterState s, boolean exactZxid) {
        switch (op.kind()) {
            case READ -> {
                boolean same = s.exists() && Objects.equals(ok.value(), s.value())
                        && matches(ok.version(), s.version()) && zxidMatches(ok.zxid(), s.mzxid(), exactZxid);
                return same ? s : null;
            }
            case WRITE -> {
                return s.exists() && matches(ok.version(), s.version() + 1)
                        ? new RegisterState(true, op.value(), s.version() + 1, ok.zxid()) : null;
            }
            case CAS -> {
                return s.exists() && s.version() == op.expectedVersion() && matches(ok.version(), s.version() + 1)
                        ? new RegisterState(true, op.value(), s.version() + 1, ok.zxid()) : null;
            }
            case CREATE, CREATE_SEQUENTIAL -> {
                return !s.exists() && matches(ok.version(), 0)
                        ? new RegisterState(true, op.value(), 0, ok.zxid()) : null;
            }
            case DELETE -> {
                return s.exists() && versionAllows(op, s) ? RegisterState.ABSENT : null;
            }
        }
        throw new IllegalStateException(op.kind().name());
    }

    /**
     * The state right after an acknowledged update, when its reply pins it down completely (a write without a known
     * version does not); null otherwise.
     */
    static RegisterState stateAfter(Operation op) {
        if (!(op.result() instanceof Result.Ok ok) || !op.kind().isUpdate()) {
            return null;
        }
        return switch (op.kind()) {
            case DELETE -> RegisterState.ABSENT;
            case CREATE, CREATE_SEQUENTIAL -> new RegisterState(true, op.value(), 0, ok.zxid());
            case WRITE, CAS -> ok.version() == Result.UNKNOWN
                    ? null : new RegisterState(true, op.value(), ok.version(), ok.zxid());
            case READ -> null;
        };
    }

    /** An indeterminate update that did happen: its preconditions hold and the client learned nothing more. */
    private static RegisterState applyIndeterminate(Operation op, long zxid, RegisterState s) {
        return switch (op.kind()) {
            case WRITE -> s.exists() ? new RegisterState(true, op.value(), s.version() + 1, zxid) : null;
            case CAS -> s.exists() && s.version() == op.expectedVersion()
                    ? new RegisterState(true, op.value(), s.version() + 1, zxid) : null;
            case CREATE, CREATE_SEQUENTIAL -> s.exists() ? null : new RegisterState(true, op.value(), 0, zxid);
            case DELETE -> s.exists() && versionAllows(op, s) ? RegisterState.ABSENT : null;
            case READ -> throw new IllegalStateException("indeterminate reads constrain nothing");
        };
    }

    /** What a definite error says about the znode at the operation's linearization point, or null for nothing. */
    private static Condition failureCondition(Operation op, Code code) {
        return switch (code) {
            case NONODE -> op.kind() == OpKind.CREATE || op.kind() == OpKind.CREATE_SEQUENTIAL
                    ? null : (o, s) -> !s.exists();
            case NODEEXISTS -> op.kind() == OpKind.CREATE ? (o, s) -> s.exists() : null;
            case BADVERSION -> op.kind() == OpKind.CAS || op.kind() == OpKind.DELETE
                    ? (o, s) -> s.exists() && s.version() != o.expectedVersion() : null;
            case NOTEMPTY -> op.kind() == OpKind.DELETE ? (o, s) -> s.exists() : null;
            default -> null;
        };
    }

    private interface Condition {
        boolean holds(Operation op, RegisterState s);
    }

    private static boolean versionAllows(Operation op, RegisterState s) {
        return op.expectedVersion() == -1 || op.expectedVersion() == s.version();
    }

    private static boolean matches(long observed, long expected) {
        return observed == Result.UNKNOWN || observed == expected;
    }

    private static boolean zxidMatches(long observed, long state, boolean exact) {
        return observed == Result.UNKNOWN || observed == state || (state == Result.UNKNOWN && !exact);
    }
}
