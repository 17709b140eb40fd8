package io.ensemble.wire;

import org.apache.jute.BinaryInputArchive;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.Arrays;

import static io.ensemble.wire.Jute.parse;
import static io.ensemble.wire.Jute.zk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The handshake records, with and without the optional trailing readOnly byte. */
class ConnectCodecTest {
    private static final byte[] PASSWD = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) 0xff};

    @Test
    void connectRequestFromTheJavaClientCarriesReadOnly() {
        for (boolean readOnly : new boolean[]{true, false}) {
            byte[] bytes = zk(new org.apache.zookeeper.proto.ConnectRequest(0, 0x0000_0005_0000_0012L, 30000,
                    0x0123_4567_89ab_cdefL, PASSWD, readOnly));
            assertThat(bytes).hasSize(4 + 8 + 4 + 8 + 4 + 16 + 1);
            JuteReader r = new JuteReader(bytes);
            ConnectRequest c = ConnectRequest.read(r);
            assertThat(r.remaining()).isZero();
            assertThat(c.protocolVersion()).isZero();
            assertThat(c.lastZxidSeen()).isEqualTo(0x0000_0005_0000_0012L);
            assertThat(c.timeout()).isEqualTo(30000);
            assertThat(c.sessionId()).isEqualTo(0x0123_4567_89ab_cdefL);
            assertThat(c.passwd()).containsExactly(PASSWD);
            assertThat(c.readOnly()).isEqualTo(readOnly);
            assertThat(c.readOnlyPresent()).isTrue();
        }
    }

    @Test
    void connectRequestWithoutReadOnlyByteLikeNodeZookeeperClient() {
        byte[] full = zk(new org.apache.zookeeper.proto.ConnectRequest(0, 7, 4000, 0, new byte[16], false));
        byte[] bytes = Arrays.copyOf(full, full.length - 1);
        ConnectRequest c = ConnectRequest.read(new JuteReader(bytes));
        assertThat(c.lastZxidSeen()).isEqualTo(7);
        assertThat(c.timeout()).isEqualTo(4000);
        assertThat(c.sessionId()).isZero();
        assertThat(c.passwd()).hasSize(16).containsOnly(0);
        assertThat(c.readOnly()).isFalse();
        assertThat(c.readOnlyPresent()).isFalse();
    }

    @Test
    void connectRequestWithNullOrOddPassword() {
        ConnectRequest nullPw = ConnectRequest.read(new JuteReader(
                zk(new org.apache.zookeeper.proto.ConnectRequest(0, 0, 1, 0, null, false))));
        assertThat(nullPw.passwd()).isNull();
        ConnectRequest shortPw = ConnectRequest.read(new JuteReader(
                zk(new org.apache.zookeeper.proto.ConnectRequest(0, 0, 1, 0, new byte[3], true))));
        assertThat(shortPw.passwd()).hasSize(3);
        assertThat(shortPw.readOnly()).isTrue();
    }

    @Test
    void connectRequestWrittenHereReadsInZooKeeper() {
        ConnectRequest ours = new ConnectRequest(0, -5, 12345, 99, PASSWD, true, true);
        JuteWriter w = new JuteWriter();
        ours.write(w);
        org.apache.zookeeper.proto.ConnectRequest theirs = parse(w.toByteArray(),
                new org.apache.zookeeper.proto.ConnectRequest());
        assertThat(theirs.getLastZxidSeen()).isEqualTo(-5);
        assertThat(theirs.getTimeOut()).isEqualTo(12345);
        assertThat(theirs.getSessionId()).isEqualTo(99);
        assertThat(theirs.getPasswd()).containsExactly(PASSWD);
        assertThat(theirs.getReadOnly()).isTrue();

        JuteWriter w2 = new JuteWriter();
        new ConnectRequest(0, 1, 2, 3, PASSWD, false, false).write(w2);
        assertThat(w2.size()).isEqualTo(4 + 8 + 4 + 8 + 4 + 16);
    }

    @Test
    void everyTruncationOfTheMandatoryFieldsIsMalformed() {
        byte[] full = zk(new org.apache.zookeeper.proto.ConnectRequest(0, 1, 2, 3, PASSWD, true));
        for (int len = 0; len < full.length - 1; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> ConnectRequest.read(new JuteReader(cut)))
                    .as("cut to %d bytes", len)
                    .isInstanceOf(MalformedRecordException.class);
        }
    }

    @Test
    void connectResponseWithReadOnlyByte() {
        for (boolean readOnly : new boolean[]{true, false}) {
            JuteWriter w = new JuteWriter();
            new ConnectResponse(40000, 0x0100_0000_0000_0001L, PASSWD, readOnly, true).write(w);
            byte[] bytes = w.toByteArray();
            assertThat(bytes).hasSize(4 + 4 + 8 + 4 + 16 + 1);
            org.apache.zookeeper.proto.ConnectResponse r = parse(bytes,
                    new org.apache.zookeeper.proto.ConnectResponse());
            assertThat(r.getProtocolVersion()).isZero();
            assertThat(r.getTimeOut()).isEqualTo(40000);
            assertThat(r.getSessionId()).isEqualTo(0x0100_0000_0000_0001L);
            assertThat(r.getPasswd()).containsExactly(PASSWD);
            assertThat(r.getReadOnly()).isEqualTo(readOnly);
            assertThat(bytes).isEqualTo(zk(new org.apache.zookeeper.proto.ConnectResponse(0, 40000,
                    0x0100_0000_0000_0001L, PASSWD, readOnly)));
        }
    }

    @Test
    void connectResponseWithoutReadOnlyByte() throws Exception {
        JuteWriter w = new JuteWriter();
        new ConnectResponse(4000, 77, PASSWD, false, false).write(w);
        byte[] bytes = w.toByteArray();
        assertThat(bytes).hasSize(4 + 4 + 8 + 4 + 16);
        // What the Java client does (ClientCnxnSocket.readConnectResult): read the fields, then try the boolean.
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        BinaryInputArchive ia = BinaryInputArchive.getArchive(in);
        assertThat(ia.readInt("protocolVersion")).isZero();
        assertThat(ia.readInt("timeOut")).isEqualTo(4000);
        assertThat(ia.readLong("sessionId")).isEqualTo(77);
        assertThat(ia.readBuffer("passwd")).containsExactly(PASSWD);
        assertThat(in.available()).isZero();
        assertThat(new DataInputStream(in).read()).isEqualTo(-1);
    }

    @Test
    void expiredResponseIsAllZeros() {
        for (boolean flag : new boolean[]{true, false}) {
            JuteWriter w = new JuteWriter();
            ConnectResponse.expired(flag).write(w);
            byte[] bytes = w.toByteArray();
            byte[] expected = new byte[4 + 4 + 8 + 4 + 16 + (flag ? 1 : 0)];
            expected[4 + 4 + 8 + 3] = 16; // passwd length
            assertThat(bytes).containsExactly(expected);
        }
    }
}
