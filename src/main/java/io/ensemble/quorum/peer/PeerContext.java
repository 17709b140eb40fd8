package io.ensemble.quorum.peer;

import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;
import io.ensemble.quorum.election.LeaderElection;
import io.ensemble.quorum.transport.QuorumLinkOptions;
import io.ensemble.quorum.zab.ZabSettings;
import io.ensemble.server.ReplicaHost;
import io.ensemble.storage.Storage;

/** What every role of this server shares across terms. */
record PeerContext(ServerConfig config, ReplicaHost host, PeerLog log, ZabSettings settings,
                   QuorumLinkOptions linkOptions, LeaderElection election) {

    QuorumConfig quorum() {
        return config.quorum();
    }

    long myId() {
        return config.quorum().myId();
    }

    /** The largest log entry recovery accepts (as the storage reads it). */
    int maxEntryBytes() {
        return Storage.maxEntryBytes(config.juteMaxBuffer());
    }
}
