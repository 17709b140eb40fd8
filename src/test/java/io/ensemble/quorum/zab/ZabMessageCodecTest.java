package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Id;
import io.ensemble.wire.MalformedRecordException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZabMessageCodecTest {

    private static final LoggedTxn TXN = new LoggedTxn(new TxnHeader(0x1234L, 7, Zxid.of(3, 9), 1_700_000L, 5),
            new Txn.Multi(List.of(new Txn.SetData("/a", new byte[] {1, 2}, 4), new Txn.Delete("/b"))));

    static List<ZabMessage> everyMessage() {
        return List.of(new FollowerInfo(2, 3, Zxid.of(3, 4)), new ObserverInfo(5, 1, 0), new LeaderInfo(4),
                new AckEpoch(3, Zxid.of(3, 4)), new Diff(Zxid.of(2, 1)), new Trunc(Zxid.of(1, 7)),
                new Snap(Zxid.of(3, 2)), new Proposal(TXN), new Commit(Zxid.of(3, 9)), new Inform(TXN),
                new NewLeader(Zxid.of(4, 0)), new Ack(Zxid.of(4, 2)), new UpToDate(), new Ping(List.of()),
                new Ping(List.of(new SessionTouch(11, 3000), new SessionTouch(12, 4000))),
                new Request(11, 3, 1, new byte[] {9, 8, 7}, List.of(new Id("digest", "bob:x"), new Id("ip", "127.0.0.1"))),
                new Request(11, 4, 9, null, List.of()), new Revalidate(11, 3000),
                new RevalidateReply(11, true), new RevalidateReply(12, false), new Sync(11, 5, "/a/b"),
                new SyncReply(11, 5, "/a/b"));
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        for (ZabMessage m : everyMessage()) {
            byte[] bytes = ZabMessageCodec.encode(m);
            ZabMessage back = ZabMessageCodec.decode(bytes);
            assertThat(back).as(ZabTranscript.describe(m)).usingRecursiveComparison().isEqualTo(m);
            assertThat(ZabMessageCodec.encode(back)).isEqualTo(bytes);
        }
    }

    @Test
    void aFrameDecodesFromTheFrontOfAReusedArray() {
        byte[] reused = new byte[4096];
        Arrays.fill(reused, (byte) 0x5a); // what an earlier, longer frame left behind
        for (ZabMessage m : everyMessage()) {
            byte[] bytes = ZabMessageCodec.encode(m);
            System.arraycopy(bytes, 0, reused, 0, bytes.length);
            ZabMessage back = ZabMessageCodec.decode(reused, bytes.length);
            Arrays.fill(reused, (byte) 0x5a); // the next frame overwrites it: the message must not share it
            assertThat(back).as(ZabTranscript.describe(m)).usingRecursiveComparison().isEqualTo(m);
        }
    }

    @Test
    void everyKindOfMessageIsCovered() {
        long kinds = everyMessage().stream().map(Object::getClass).distinct().count();
        assertThat(kinds).isEqualTo(ZabMessage.class.getPermittedSubclasses().length);
    }

    @Test
    void rejectsTruncatedStrayAndUnknownFrames() {
        byte[] commit = ZabMessageCodec.encode(new Commit(5));
        assertThatThrownBy(() -> ZabMessageCodec.decode(Arrays.copyOf(commit, commit.length - 1)))
                .isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> ZabMessageCodec.decode(Arrays.copyOf(commit, commit.length + 1)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("stray");
        assertThatThrownBy(() -> ZabMessageCodec.decode(new byte[] {0, 0, 0, 99}))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("unknown");
        byte[] ping = {0, 0, 0, 5, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> ZabMessageCodec.decode(ping)).isInstanceOf(MalformedRecordException.class);
    }
}
