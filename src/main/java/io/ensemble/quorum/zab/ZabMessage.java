package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.wire.Id;

import java.util.List;

/**
 * The messages leader and learners exchange on the quorum port, with ZooKeeper's names. The sender is not in the
 * message: the transport knows which peer a connection belongs to (the learner names itself once, in its
 * FOLLOWERINFO/OBSERVERINFO), so a server cannot speak for another.
 */
public sealed interface ZabMessage {

    /** Learner → leader, first message: who it is and how far its history goes. */
    record FollowerInfo(long sid, long acceptedEpoch, long lastZxid) implements ZabMessage {
    }

    /** As FollowerInfo, from a server that will not vote or ACK proposals. */
    record ObserverInfo(long sid, long acceptedEpoch, long lastZxid) implements ZabMessage {
    }

    /** Leader → learner: the epoch it proposes to establish. */
    record LeaderInfo(long newEpoch) implements ZabMessage {
    }

    /** Learner → leader: it accepted the new epoch; its current epoch and last zxid let the leader plan the sync. */
    record AckEpoch(long currentEpoch, long lastZxid) implements ZabMessage {
    }

    /** Sync: the learner's log is a prefix of the leader's; missing transactions follow as PROPOSAL/COMMIT. */
    record Diff(long zxid) implements ZabMessage {
    }

    /** Sync: drop every logged transaction above {@code zxid} (a tail no quorum ever committed); a diff may follow. */
    record Trunc(long zxid) implements ZabMessage {
    }

    /**
     * Sync: replace everything with the leader's snapshot as of {@code zxid}. The snapshot bytes are opaque to the
     * core: the transport streams them right after this message, taken from the leader's tree as it stands once the
     * {@link ZabReady} that carries this message has been applied.
     */
    record Snap(long zxid) implements ZabMessage {
    }

    record Proposal(LoggedTxn txn) implements ZabMessage {
    }

    record Commit(long zxid) implements ZabMessage {
    }

    /** Leader → observer: a committed transaction, proposal and commit in one. */
    record Inform(LoggedTxn txn) implements ZabMessage {
    }

    /** Ends the sync; once everything synced is durable the learner persists the new current epoch and ACKs. */
    record NewLeader(long zxid) implements ZabMessage {
    }

    /** Learner → leader: everything up to {@code zxid} that it was sent is durable (cumulative). */
    record Ack(long zxid) implements ZabMessage {
    }

    /** Leader → learner: a quorum is in sync, start serving clients. */
    record UpToDate() implements ZabMessage {
    }

    /** Heartbeat. Leader → learner carries nothing; the learner's answer carries its clients' session touches. */
    record Ping(List<SessionTouch> touches) implements ZabMessage {
        public Ping {
            touches = List.copyOf(touches);
        }
    }

    record SessionTouch(long sessionId, int timeout) {
    }

    /**
     * Learner → leader: a client write to prepare and propose on the leader, with the identities the client
     * authenticated as on the learner (the leader checks ACLs with them, as ZooKeeper's QuorumPacket authinfo).
     */
    record Request(long sessionId, int cxid, int type, byte[] body, List<Id> auth) implements ZabMessage {
        public Request {
            auth = List.copyOf(auth);
        }
    }

    /** Learner → leader: is this session (of a client that moved here) still alive? */
    record Revalidate(long sessionId, int timeout) implements ZabMessage {
    }

    record RevalidateReply(long sessionId, boolean valid) implements ZabMessage {
    }

    /** Learner → leader: a client's sync(); answered once every write proposed before it is committed. */
    record Sync(long sessionId, int cxid, String path) implements ZabMessage {
    }

    /** Sent after the COMMITs it waited for, so the learner has applied them when it reads this. */
    record SyncReply(long sessionId, int cxid, String path) implements ZabMessage {
    }
}
