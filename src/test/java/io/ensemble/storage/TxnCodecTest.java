package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnCodec;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Id;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.JuteWriter;
import io.ensemble.wire.MalformedRecordException;
import io.ensemble.wire.OpCode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static io.ensemble.storage.StorageTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TxnCodecTest {
    private static final List<Acl> ACLS = List.of(new Acl(Acl.ALL, new Id("digest", "u:p=")),
            new Acl(Acl.READ | Acl.WRITE, new Id("ip", "10.0.0.0/8")), new Acl(Acl.READ, Id.ANYONE));

    static Stream<Txn> everyKind() {
        return Stream.of(
                new Txn.Create("/a", bytes("hello"), Acl.OPEN, 0, 3),
                new Txn.Create("/a/eph", null, ACLS, 0x1234_5678_9abcL, 0),
                new Txn.Create("/empty", new byte[0], List.of(), Long.MIN_VALUE, Integer.MAX_VALUE),
                new Txn.Create("/ünïcødé/☃", bytes("x"), Acl.READ_ONLY, -1, 1),
                new Txn.Delete("/a/b"),
                new Txn.SetData("/a", bytes("v2"), 7),
                new Txn.SetData("/a", null, 8),
                new Txn.SetData("/a", new byte[0], 9),
                new Txn.SetAcl("/a", ACLS, 2),
                new Txn.SetAcl("/a", List.of(), 3),
                new Txn.CheckVersion("/a", 5),
                new Txn.CreateSession(30_000),
                new Txn.CloseSession(),
                new Txn.Error(-110),
                new Txn.Multi(List.of()),
                new Txn.Multi(List.of(
                        new Txn.Create("/m", null, ACLS, 0, 1),
                        new Txn.CheckVersion("/m", 0),
                        new Txn.SetData("/m", new byte[0], 1),
                        new Txn.SetAcl("/m", Acl.OPEN, 1),
                        new Txn.Delete("/m"),
                        new Txn.Error(-101),
                        new Txn.Multi(List.of(new Txn.Create("/n", bytes("nested"), Acl.OPEN, 0, 2),
                                new Txn.Multi(List.of(new Txn.Delete("/n"))))))));
    }

    @TestFactory
    Stream<DynamicTest> roundTripsEveryKind() {
        return everyKind().map(t -> DynamicTest.dynamicTest(t.toString(), () -> roundTrip(t)));
    }

    private static void roundTrip(Txn txn) {
        TxnHeader hdr = new TxnHeader(0x0100_0000_0000_0042L, 17, 0x5_0000_0007L, 1_700_000_000_123L,
                OpCode.MULTI);
        JuteWriter w = new JuteWriter();
        TxnCodec.write(w, hdr, txn);
        JuteReader r = new JuteReader(w.toByteArray());
        LoggedTxn back = TxnCodec.read(r);

        assertThat(r.hasRemaining()).isFalse();
        assertThat(back.header()).isEqualTo(hdr);
        assertThat(back.zxid()).isEqualTo(0x5_0000_0007L);
        // records compare byte[] by reference, so compare field by field (null stays null, empty stays empty)
        assertThat(back.txn()).usingRecursiveComparison().isEqualTo(txn);
        assertSameNullness(back.txn(), txn);
    }

    private static void assertSameNullness(Txn back, Txn orig) {
        switch (orig) {
            case Txn.Create c -> assertThat(((Txn.Create) back).data()).isEqualTo(c.data());
            case Txn.SetData s -> assertThat(((Txn.SetData) back).data()).isEqualTo(s.data());
            case Txn.Multi m -> {
                List<Txn> b = ((Txn.Multi) back).txns();
                assertThat(b).hasSameSizeAs(m.txns());
                for (int i = 0; i < b.size(); i++) {
                    assertThat(b.get(i)).isInstanceOf(m.txns().get(i).getClass());
                    assertSameNullness(b.get(i), m.txns().get(i));
                }
            }
            default -> { }
        }
    }

    @Test
    void nullAndEmptyDataStayDistinct() {
        for (byte[] data : new byte[][] {null, new byte[0]}) {
            JuteWriter w = new JuteWriter();
            TxnCodec.write(w, new TxnHeader(1, 1, 1, 1, OpCode.SET_DATA), new Txn.SetData("/x", data, 1));
            Txn.SetData back = (Txn.SetData) TxnCodec.read(new JuteReader(w.toByteArray())).txn();
            if (data == null) {
                assertThat(back.data()).isNull();
            } else {
                assertThat(back.data()).isNotNull().isEmpty();
            }
        }
    }

    @Test
    void unknownKindIsMalformed() {
        JuteWriter w = new JuteWriter();
        w.writeLong(1).writeInt(1).writeLong(1).writeLong(1).writeInt(1).writeRaw(new byte[] {42});
        assertThatThrownBy(() -> TxnCodec.read(new JuteReader(w.toByteArray())))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("42");
    }

    @Test
    void truncatedBodyIsMalformed() {
        JuteWriter w = new JuteWriter();
        TxnCodec.write(w, new TxnHeader(1, 1, 1, 1, 1), new Txn.Create("/abc", bytes("data"), Acl.OPEN, 0, 1));
        byte[] all = w.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 3);
        assertThatThrownBy(() -> TxnCodec.read(new JuteReader(cut))).isInstanceOf(MalformedRecordException.class);
    }

    @TestFactory
    Stream<DynamicTest> encodedSizeIsExactlyWhatTheEncodingTakes() {
        Stream<Txn> more = Stream.of(new Txn.SetData("/registers/r17", new byte[1024], 3),
                new Txn.Create("/a/b/c-0000000042", new byte[4096], ACLS, 0x55L, 9),
                new Txn.Delete("/\uD83D\uDE00/pair/\uD800/lone/\uDC00/x")); // a surrogate pair, two lone ones
        return Stream.concat(everyKind(), more).map(txn -> DynamicTest.dynamicTest(txn.toString(), () -> {
            JuteWriter w = new JuteWriter(16);
            TxnCodec.write(w, new TxnHeader(1, 2, 3, 4, 5), txn);
            assertThat(TxnCodec.encodedSize(txn)).isEqualTo(w.size());
        }));
    }
}
