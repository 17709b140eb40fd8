/**
 * Compatibility suite: the server driven through the stock clients (Apache ZooKeeper 3.9.4 Java client, Curator 5.9,
 * zkCli) and, where the client hides the wire, through hand-built frames made from the client's own jute records.
 * Each test states what Apache ZooKeeper 3.9 standalone does; the reference is
 * {@code /work/shared/protocol/zk-client-protocol.md}.
 *
 * <p>Support classes: {@link io.ensemble.compat.TestServer} (one in-JVM server plus its clients),
 * {@link io.ensemble.compat.CompatTestBase} (one server per test class, a connected ZooKeeper and Curator, a per-test
 * root node), {@link io.ensemble.compat.EventLog} (recording watcher with an in-order "barrier"),
 * {@link io.ensemble.compat.RawZkConnection} (hand-driven connection: no pings, no reconnects) and
 * {@link io.ensemble.compat.TcpProxy} (cuts connections to simulate network faults).
 *
 * <p>Run: {@code ./mvnw -o test -Dtest='io.ensemble.compat.**' -Dsurefire.failIfNoSpecifiedTests=false}.
 * {@code ZkCliCompatTest} forks zkCli JVMs; zkCli needs commons-cli, which the zookeeper artifact declares
 * "provided" (taken from the local Maven repository until it is a test dependency).
 */
package io.ensemble.compat;
