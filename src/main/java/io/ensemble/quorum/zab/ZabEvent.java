package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.SessionTouch;

import java.util.List;

/** Role changes and requests for the driver that are not plain log or network work. */
public sealed interface ZabEvent {

    /** Leader: a quorum ACKed NEWLEADER; proposals may start. */
    record Established(long epoch) implements ZabEvent {
    }

    /** Learner: UPTODATE received; serve clients. */
    record Serving(long leader, long epoch) implements ZabEvent {
    }

    /** This core is finished: the driver discards it, closes its connections and runs an election. */
    record Looking(String reason) implements ZabEvent {
    }

    /** Leader: close the connection to this learner (silent too long, or it broke the protocol). */
    record DropLearner(long sid, String reason) implements ZabEvent {
    }

    /** Leader: a learner forwarded a client write; prepare it and call propose. */
    record Forwarded(long from, ZabMessage.Request request) implements ZabEvent {
    }

    /** Leader: a learner asks whether a session is alive; answer with LeaderCore.revalidated. */
    record RevalidateRequested(long from, long sessionId, int timeout) implements ZabEvent {
    }

    /** Leader: a learner's clients were active; refresh these sessions. */
    record SessionsTouched(long from, List<SessionTouch> touches) implements ZabEvent {
    }

    /** Learner: the leader answered a REVALIDATE. */
    record Revalidated(long sessionId, boolean valid) implements ZabEvent {
    }

    /** Learner: a client's sync() is done; every commit before it has been applied. */
    record SyncDone(long sessionId, int cxid, String path) implements ZabEvent {
    }
}
