package io.ensemble.quorum.election;

/** What a server is doing, as it tells its peers in every notification. */
public enum ServerState {
    LOOKING, FOLLOWING, LEADING, OBSERVING
}
