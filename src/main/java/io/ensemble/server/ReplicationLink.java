package io.ensemble.server;

import io.ensemble.txn.Txn;
import io.ensemble.wire.Id;

import java.util.List;

/**
 * What the request processor asks of this server's role in an ensemble. A leader orders prepared writes; a learner
 * hands client writes, session checks and syncs to its leader. Every answer comes back through
 * {@link ReplicaHost}. Called on the processor thread only.
 */
public interface ReplicationLink {

    /** "leader", "follower" or "observer", as srvr and stat print it. */
    String mode();

    boolean leading();

    /** Leader: orders a prepared transaction and returns its zxid; it is applied once a quorum has logged it. */
    long propose(long sessionId, int cxid, int type, Txn txn, long time);

    /** Leader: the last zxid proposed (a local sync() completes once it is applied). */
    long lastProposed();

    /** Learner: a client's write (request body without header) for the leader to prepare and propose. */
    void forward(long sessionId, int cxid, int type, byte[] body, List<Id> auth);

    /** Learner: asks the leader whether a session that moved here is still alive. */
    void revalidate(long sessionId, int timeout);

    /** Learner: a client's sync(); completes once the leader's earlier commits have been applied here. */
    void sync(long sessionId, int cxid, String path);
}
