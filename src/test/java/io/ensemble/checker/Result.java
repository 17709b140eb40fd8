package io.ensemble.checker;

import org.apache.zookeeper.KeeperException;

import java.util.Set;

/**
 * The outcome a client saw: {@link Ok}, {@link Fail} (a definite error: the operation had no effect, though the error
 * itself may say something about the state, e.g. BadVersion) or {@link Info} (indeterminate: the operation may take
 * effect at any time after its invocation, up to the end of the history, or never).
 */
public sealed interface Result permits Result.Ok, Result.Fail, Result.Info {
    /** A version or zxid the client did not learn. */
    long UNKNOWN = -1;

    /** Error codes after which the request may still have been (or still be) applied. */
    Set<KeeperException.Code> INDETERMINATE = Set.of(
            KeeperException.Code.CONNECTIONLOSS,
            KeeperException.Code.OPERATIONTIMEOUT,
            KeeperException.Code.REQUESTTIMEOUT,
            KeeperException.Code.SESSIONEXPIRED,
            KeeperException.Code.SESSIONMOVED,
            KeeperException.Code.SYSTEMERROR,
            KeeperException.Code.RUNTIMEINCONSISTENCY,
            KeeperException.Code.MARSHALLINGERROR,
            KeeperException.Code.NEWCONFIGNOQUORUM,
            KeeperException.Code.RECONFIGINPROGRESS,
            KeeperException.Code.UNKNOWNSESSION,
            KeeperException.Code.APIERROR);

    /**
     * Success. {@code path} is the node acted on (for a sequential create: the name the server chose); {@code value}
     * and {@code version} are what a read returned, or the version an update produced; {@code zxid} is the Stat's
     * mzxid (for a create: its czxid). Unknown numbers are {@link #UNKNOWN}; a delete learns no zxid.
     */
    record Ok(String path, String value, long version, long zxid) implements Result {
    }

    /** A definite error: the operation did not take effect. */
    record Fail(KeeperException.Code code) implements Result {
    }

    /**
     * Indeterminate. {@code zxid} is normally {@link #UNKNOWN}; the witness minimizer sets it when it weakens an
     * acknowledged update, meaning "if it happened, it happened at this zxid".
     */
    record Info(String reason, long zxid) implements Result {
        public Info(String reason) {
            this(reason, UNKNOWN);
        }
    }

    /** The result for a ZooKeeper error code: indeterminate for connection-level errors, definite otherwise. */
    static Result ofError(KeeperException.Code code) {
        return INDETERMINATE.contains(code) ? new Info(code.name()) : new Fail(code);
    }
}
