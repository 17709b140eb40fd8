package io.ensemble.quorum.zab;

/** A simulated quorum-port TCP connection between one leader core and one learner core. */
final class SimConnection {
    final int id;
    final long leader;
    final long learner;
    final LearnerCore learnerCore;
    boolean closedByLeader;
    boolean closedByLearner;

    SimConnection(int id, long leader, long learner, LearnerCore learnerCore) {
        this.id = id;
        this.leader = leader;
        this.learner = learner;
        this.learnerCore = learnerCore;
    }

    boolean closedBy(long sid) {
        return sid == leader ? closedByLeader : closedByLearner;
    }

    void closeBy(long sid) {
        if (sid == leader) {
            closedByLeader = true;
        } else {
            closedByLearner = true;
        }
    }
}
