package io.ensemble.server;

/**
 * The gauges that need the processor thread (the tree and session table are owned by it), read by one no-op trip
 * through the request pipeline. Cheap enough to take every second: the liveness heartbeat takes it and the metrics
 * endpoint reads the latest one.
 *
 * @param quorum the ensemble facts that live on the processor thread too (a leader's learners)
 */
public record ServerCounts(long lastZxid, int nodeCount, int watchCount, int ephemeralCount,
                           long approximateDataSize, int sessionCount, QuorumFacts quorum) {
}
