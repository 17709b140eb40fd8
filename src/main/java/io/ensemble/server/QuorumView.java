package io.ensemble.server;

/**
 * The ensemble as this server's reports see it. The quorum peer implements it and hands it to
 * {@link EnsembleServer#quorumView(QuorumView)}, so mntr, the admin commands and the metrics can show quorum facts
 * while this package keeps not depending on the quorum packages (they depend on it). A standalone server has none.
 */
public interface QuorumView {

    /** The facts now. Processor thread only: the leader's table of learners is owned by that thread. */
    QuorumFacts facts();

    /** How long the elections took so far. Any thread. */
    ElectionTimes elections();
}
