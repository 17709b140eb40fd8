/**
 * The quorum port's TCP transport, leader ↔ learners. The pure core ({@code io.ensemble.quorum.zab}) never sees a
 * socket; its driver feeds it what {@link io.ensemble.quorum.transport.LeaderListener} or
 * {@link io.ensemble.quorum.transport.LearnerConnector} delivers and hands them the core's outbound messages.
 *
 * <p>Wire format, learner → leader first: a handshake {@code int MAGIC ("ENQU"), long sid, boolean observer}, then in
 * both directions frames {@code int length, byte[length]} (the election port's framing) whose body is a
 * {@link io.ensemble.quorum.zab.ZabMessageCodec} message. Right after a SNAP frame the leader streams the snapshot as
 * chunks {@code int length, byte[length]}, ended by a chunk of length 0: the leader need not know the size in advance.
 * Virtual threads do the blocking I/O: one reader and one writer per connection, so no caller waits on a socket.
 */
package io.ensemble.quorum.transport;
