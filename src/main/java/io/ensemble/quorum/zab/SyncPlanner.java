package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides how a leader brings one learner's log in line with its own, as ZooKeeper's LearnerHandler does:
 * <ul>
 *   <li>DIFF when the learner's last zxid is one the leader has: send what follows;</li>
 *   <li>TRUNC to the largest committed zxid the leader has below the learner's last one, when the learner holds a
 *       tail the leader never had (proposals of an old epoch that no quorum committed) or has not committed yet,
 *       then what follows;</li>
 *   <li>SNAP when the learner's last zxid is older than the window (too far behind).</li>
 * </ul>
 * Transactions follow as PROPOSAL, with a COMMIT for those already committed; the rest are committed later by the
 * ordinary COMMIT stream, so a learner joining mid-broadcast misses nothing.
 */
final class SyncPlanner {

    private SyncPlanner() {
    }

    static List<ZabMessage> plan(TxnWindow window, long committed, long learnerLastZxid) {
        List<ZabMessage> out = new ArrayList<>();
        // Never DIFF from a point above the commit: a learner's tree holds its whole log (it fast-forwarded), so
        // an uncommitted tail would be served as if committed. Truncate it and send it again as proposals.
        long from = window.floor(Math.min(learnerLastZxid, committed));
        if (from < 0) {
            out.add(new ZabMessage.Snap(committed));
            from = committed;
        } else if (from == learnerLastZxid) {
            out.add(new ZabMessage.Diff(from));
        } else {
            out.add(new ZabMessage.Trunc(from));
        }
        for (LoggedTxn t : window.after(from)) {
            out.add(new ZabMessage.Proposal(t));
            if (t.zxid() <= committed) {
                out.add(new ZabMessage.Commit(t.zxid()));
            }
        }
        return out;
    }
}
