/**
 * ZooKeeper's atomic broadcast (Zab 1.0) as pure state machines, in the manner of etcd raft: no sockets, threads,
 * clocks or files. {@link io.ensemble.quorum.zab.LeaderCore} and {@link io.ensemble.quorum.zab.LearnerCore} take
 * peer messages, ticks, proposals and durability reports, and answer each with a {@link io.ensemble.quorum.zab.ZabReady}:
 * what to persist, apply, send, and which role change happened. A driver (one per role term) owns the log, the
 * tree and the quorum-port connections; {@link io.ensemble.quorum.zab.ZabMessageCodec} is the frame body format.
 */
package io.ensemble.quorum.zab;
