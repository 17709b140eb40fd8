package io.ensemble.quorum.transport;

import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Commit;
import io.ensemble.quorum.zab.ZabMessage.Inform;
import io.ensemble.quorum.zab.ZabMessage.Proposal;
import io.ensemble.quorum.zab.ZabMessageCodec;
import io.ensemble.quorum.zab.Zxid;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FanOutEncoderTest {
    private static final LoggedTxn TXN = new LoggedTxn(new TxnHeader(0x99L, 4, Zxid.of(2, 7), 1_700_000L, 5),
            new Txn.SetData("/register", new byte[1024], 3));

    private final FanOutEncoder encoder = new FanOutEncoder(1 << 20);

    @Test
    void oneMessageSentToEveryLearnerIsEncodedOnce() {
        Proposal proposal = new Proposal(TXN);
        byte[] first = encoder.encode(proposal);
        assertThat(encoder.encode(proposal)).isSameAs(first);
        assertThat(first).isEqualTo(ZabMessageCodec.encode(proposal));
    }

    @Test
    void commitsAndInformsInterleavedAcrossFollowersAndObserversStayShared() {
        Commit commit = new Commit(TXN.zxid());
        Inform inform = new Inform(TXN);
        byte[] c = encoder.encode(commit);
        byte[] i = encoder.encode(inform);
        assertThat(encoder.encode(commit)).isSameAs(c);
        assertThat(encoder.encode(inform)).isSameAs(i);
        assertThat(i).isEqualTo(ZabMessageCodec.encode(inform));
    }

    @Test
    void anotherInstanceIsEncodedAfresh() {
        byte[] first = encoder.encode(new Commit(Zxid.of(2, 7)));
        byte[] second = encoder.encode(new Commit(Zxid.of(2, 8)));
        assertThat(second).isNotSameAs(first).isEqualTo(ZabMessageCodec.encode(new Commit(Zxid.of(2, 8))));
    }

    @Test
    void aMessageOverTheFrameLimitIsRefused() {
        FanOutEncoder small = new FanOutEncoder(512);
        ZabMessage big = new Proposal(TXN);
        assertThatThrownBy(() -> small.encode(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the frame limit 512");
    }
}
