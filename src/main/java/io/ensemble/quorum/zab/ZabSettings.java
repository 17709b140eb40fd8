package io.ensemble.quorum.zab;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ensemble as the core needs it: voters, observers, and the limits in ticks.
 *
 * @param commitLogCount how many recent transactions a leader keeps in memory to sync learners by DIFF; a learner
 *                       further behind gets a SNAP (ZooKeeper's commitLogCount, default 500)
 */
public record ZabSettings(long myId, Set<Long> voters, Set<Long> observers, int initLimit, int syncLimit,
                          int commitLogCount) {

    public static final int DEFAULT_COMMIT_LOG_COUNT = 500;

    public ZabSettings {
        voters = Set.copyOf(voters);
        observers = Set.copyOf(observers);
        if (initLimit < 1 || syncLimit < 1 || commitLogCount < 1) {
            throw new IllegalArgumentException("initLimit, syncLimit and commitLogCount must be positive");
        }
    }

    public static ZabSettings of(QuorumConfig config) {
        return of(config, DEFAULT_COMMIT_LOG_COUNT);
    }

    public static ZabSettings of(QuorumConfig config, int commitLogCount) {
        Set<Long> voters = config.voters().stream().map(PeerSpec::id).collect(Collectors.toSet());
        Set<Long> observers = config.peers().stream().filter(PeerSpec::observer).map(PeerSpec::id)
                .collect(Collectors.toSet());
        return new ZabSettings(config.myId(), voters, observers, config.initLimit(), config.syncLimit(),
                commitLogCount);
    }

    public int quorumSize() {
        return voters.size() / 2 + 1;
    }

    public boolean isQuorum(Set<Long> ids) {
        int votes = 0;
        for (long id : ids) { // on every ACK: no stream
            if (voters.contains(id)) {
                votes++;
            }
        }
        return votes >= quorumSize();
    }

    public boolean isObserver(long id) {
        return observers.contains(id);
    }
}
