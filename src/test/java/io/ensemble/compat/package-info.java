/**
 * Compatibility suite: the server driven through the stock clients (Apache ZooKeeper 3.9.4 Java client, Curator 5.9,
 * zkCli) and, where the client hides the wire, through hand-built frames made from the client's own jute records.
 * Each test states what Apache ZooKeeper 3.9 does (standalone, and through a follower of an ensemble); the
 * reference is {@code /work/shared/protocol/zk-client-protocol.md}.
 *
 * <p>Support classes: {@link io.ensemble.compat.TestServer} (the in-JVM server(s) plus their clients),
 * {@link io.ensemble.compat.CompatTestBase} (one server per test class, a connected ZooKeeper and Curator, a per-test
 * root node), {@link io.ensemble.compat.EventLog} (recording watcher with an in-order "barrier"),
 * {@link io.ensemble.compat.RawZkConnection} (hand-driven connection: no pings, no reconnects) and
 * {@link io.ensemble.compat.TcpProxy} (cuts connections to simulate network faults).
 *
 * <p>Two modes ({@link io.ensemble.compat.TestServer}): standalone (one server) and, with
 * {@code -Dcompat.ensemble=true}, a 3-server in-JVM ensemble whose clients all connect to a follower, so that the
 * same assertions check forwarding to the leader, commit-time replies, per-session ordering and session
 * revalidation. The pom runs the suite in both: the default surefire execution standalone, the execution
 * {@code compat-ensemble} in ensemble mode (reports in {@code surefire-reports-ensemble}). The few tests that differ
 * by mode say so ({@code TestServer.ENSEMBLE}, {@code server.mode()}, {@code server.zxid(n)}).
 *
 * <p>Run both: {@code ./mvnw -o test -Dtest='io.ensemble.compat.*Test'}; standalone only: add
 * {@code -Dcompat.ensemble.skip=true}; ensemble only:
 * {@code ./mvnw -o test-compile surefire:test@compat-ensemble -Dtest='io.ensemble.compat.*Test'}.
 * {@code ZkCliCompatTest} forks zkCli JVMs; zkCli needs commons-cli, which the zookeeper artifact declares
 * "provided" (taken from the local Maven repository until it is a test dependency).
 */
package io.ensemble.compat;
