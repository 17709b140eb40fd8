package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;

/** Short, stable text for messages in traces and golden transcripts (zxids as epoch.counter). */
final class ZabTranscript {

    private ZabTranscript() {
    }

    static String describe(ZabMessage m) {
        return switch (m) {
            case FollowerInfo i -> "FOLLOWERINFO accepted=" + i.acceptedEpoch() + " last=" + z(i.lastZxid());
            case ObserverInfo i -> "OBSERVERINFO accepted=" + i.acceptedEpoch() + " last=" + z(i.lastZxid());
            case LeaderInfo i -> "LEADERINFO epoch=" + i.newEpoch();
            case AckEpoch a -> "ACKEPOCH current=" + a.currentEpoch() + " last=" + z(a.lastZxid());
            case Diff d -> "DIFF " + z(d.zxid());
            case Trunc t -> "TRUNC " + z(t.zxid());
            case Snap s -> "SNAP " + z(s.zxid());
            case Proposal p -> "PROPOSAL " + z(p.txn().zxid());
            case Commit c -> "COMMIT " + z(c.zxid());
            case Inform i -> "INFORM " + z(i.txn().zxid());
            case NewLeader n -> "NEWLEADER " + z(n.zxid());
            case Ack a -> "ACK " + z(a.zxid());
            case UpToDate u -> "UPTODATE";
            case Ping p -> "PING" + (p.touches().isEmpty() ? "" : " " + p.touches().size() + " touches");
            case Request r -> "REQUEST session=" + r.sessionId() + " cxid=" + r.cxid();
            case Revalidate r -> "REVALIDATE session=" + r.sessionId();
            case RevalidateReply r -> "REVALIDATE-REPLY session=" + r.sessionId() + " valid=" + r.valid();
            case Sync s -> "SYNC " + s.path();
            case SyncReply s -> "SYNC-REPLY " + s.path();
        };
    }

    private static String z(long zxid) {
        return Zxid.format(zxid);
    }

    /** What a Ready asks of the log and tree, or "" if nothing. */
    static String summary(ZabReady r) {
        StringBuilder b = new StringBuilder();
        r.truncateTo().ifPresent(z -> b.append(" truncate-to=").append(Zxid.format(z)));
        r.loadSnapshot().ifPresent(z -> b.append(" load-snapshot=").append(Zxid.format(z)));
        r.acceptedEpoch().ifPresent(e -> b.append(" accepted-epoch=").append(e));
        r.currentEpoch().ifPresent(e -> b.append(" current-epoch=").append(e));
        if (!r.persist().isEmpty()) {
            b.append(" persist=").append(CommitLedger.zxids(r.persist()));
        }
        if (!r.apply().isEmpty()) {
            b.append(" apply=").append(CommitLedger.zxids(r.apply()));
        }
        return b.toString();
    }

}
