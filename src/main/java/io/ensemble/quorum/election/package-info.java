/**
 * Leader election on the election port, with ZooKeeper's FastLeaderElection semantics.
 *
 * <p>{@link io.ensemble.quorum.election.ElectionStateMachine} is the algorithm: pure, single-threaded, fed
 * notifications and ticks, answering with notifications to send and a decision. The
 * {@link io.ensemble.quorum.election.tcp.TcpElectionTransport} carries notifications between servers, and
 * {@link io.ensemble.quorum.election.LeaderElection} drives the two with a tick timer.
 */
package io.ensemble.quorum.election;
