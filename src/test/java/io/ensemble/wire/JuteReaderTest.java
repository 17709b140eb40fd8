package io.ensemble.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hostile input: every problem is a MalformedRecordException, never an OOM or an index exception. */
class JuteReaderTest {

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void minusOneIsNullZeroIsEmpty() {
        JuteReader r = new JuteReader(ints(-1, 0, -1, 0, -1, 0, -1, 0));
        assertThat(r.readBuffer()).isNull();
        assertThat(r.readBuffer()).isNotNull().isEmpty();
        assertThat(r.readString()).isNull();
        assertThat(r.readString()).isEqualTo("");
        assertThat(r.readStringList()).isNull();
        assertThat(r.readStringList()).isNotNull().isEmpty();
        assertThat(r.readAclList()).isNull();
        assertThat(r.readAclList()).isNotNull().isEmpty();
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void negativeLengthsOtherThanMinusOneAreRejected() {
        for (int len : new int[]{-2, -100, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new JuteReader(concat(ints(len), new byte[64])).readBuffer())
                    .isInstanceOf(MalformedRecordException.class);
            assertThatThrownBy(() -> new JuteReader(concat(ints(len), new byte[64])).readString())
                    .isInstanceOf(MalformedRecordException.class);
            assertThatThrownBy(() -> new JuteReader(concat(ints(len), new byte[64])).readStringList())
                    .isInstanceOf(MalformedRecordException.class);
            assertThatThrownBy(() -> new JuteReader(concat(ints(len), new byte[64])).readAclList())
                    .isInstanceOf(MalformedRecordException.class);
        }
    }

    @Test
    void lengthsBeyondTheFrameAreRejectedWithoutAllocating() {
        for (int len : new int[]{1, 5, 0x7ffffff, Integer.MAX_VALUE}) {
            byte[] bytes = concat(ints(len), new byte[Math.min(len - 1, 4)]);
            assertThatThrownBy(() -> new JuteReader(bytes).readBuffer()).isInstanceOf(MalformedRecordException.class);
            assertThatThrownBy(() -> new JuteReader(bytes).readString()).isInstanceOf(MalformedRecordException.class);
        }
    }

    @Test
    void vectorCountsThatCannotFitAreRejected() {
        // a string needs at least 4 bytes, an ACL at least 12: 3 strings cannot fit in 11 bytes, 2 ACLs in 23
        assertThatThrownBy(() -> new JuteReader(concat(ints(3), new byte[11])).readStringList())
                .isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> new JuteReader(concat(ints(2), new byte[23])).readAclList())
                .isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> new JuteReader(concat(ints(Integer.MAX_VALUE), new byte[16])).readStringList())
                .isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> new JuteReader(concat(ints(0x40000000), new byte[16])).readAclList())
                .isInstanceOf(MalformedRecordException.class);
        // exactly fitting counts are fine
        assertThat(new JuteReader(concat(ints(3), new byte[12])).readStringList()).containsExactly("", "", "");
        assertThat(new JuteReader(concat(ints(2), new byte[24])).readAclList())
                .containsExactly(new Acl(0, new Id("", "")), new Acl(0, new Id("", "")));
    }

    @Test
    void vectorElementsThatDoNotFitAreRejected() {
        // count 2 fits the minimum, but the first string claims more bytes than are left
        assertThatThrownBy(() -> new JuteReader(ints(2, 100, 0)).readStringList())
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void primitivesOnShortInput() {
        assertThatThrownBy(() -> new JuteReader(new byte[3]).readInt()).isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> new JuteReader(new byte[7]).readLong()).isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> new JuteReader(new byte[0]).readBool()).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void readsFromAnOffsetSlice() {
        byte[] backing = concat(new byte[]{9, 9, 9}, ints(2), new byte[]{'h', 'i'}, new byte[]{7});
        JuteReader r = new JuteReader(ByteBuffer.wrap(backing, 3, 6).slice());
        assertThat(r.readString()).isEqualTo("hi");
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void utf8Strings() {
        byte[] bytes = "/ä/€/中".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new JuteReader(concat(ints(bytes.length), bytes)).readString()).isEqualTo("/ä/€/中");
    }

    private static final int[] TYPES_WITH_BODY = {OpCode.CREATE, OpCode.DELETE, OpCode.EXISTS, OpCode.GET_DATA,
            OpCode.SET_DATA, OpCode.GET_ACL, OpCode.SET_ACL, OpCode.GET_CHILDREN, OpCode.SYNC, OpCode.GET_CHILDREN2,
            OpCode.MULTI, OpCode.CREATE2, OpCode.RECONFIG, OpCode.CHECK_WATCHES,
            OpCode.REMOVE_WATCHES, OpCode.CREATE_CONTAINER, OpCode.DELETE_CONTAINER, OpCode.CREATE_TTL,
            OpCode.MULTI_READ, OpCode.AUTH, OpCode.SET_WATCHES, OpCode.SASL, OpCode.GET_EPHEMERALS,
            OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.SET_WATCHES2, OpCode.ADD_WATCH};

    /** Random bodies, biased towards small lengths and counts so that decoding gets deep into records. */
    @Test
    void randomBodiesNeverEscapeAsAnythingButMalformedRecord() {
        Random random = new Random(0x5eed_2181L);
        int decoded = 0;
        int malformed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] body = randomBody(random);
            int type = TYPES_WITH_BODY[random.nextInt(TYPES_WITH_BODY.length)];
            try {
                Requests.decode(type, new JuteReader(body));
                decoded++;
            } catch (MalformedRecordException e) {
                malformed++;
            } catch (Throwable t) {
                throw new AssertionError("type " + type + " body " + java.util.HexFormat.of().formatHex(body), t);
            }
            try {
                ConnectRequest.read(new JuteReader(body));
            } catch (MalformedRecordException e) {
                malformed++;
            } catch (Throwable t) {
                throw new AssertionError("connect body " + java.util.HexFormat.of().formatHex(body), t);
            }
        }
        assertThat(decoded).as("some random bodies decode").isPositive();
        assertThat(malformed).as("most random bodies are malformed").isPositive();
    }

    static byte[] randomBody(Random random) {
        ByteBuffer b = ByteBuffer.allocate(random.nextInt(200));
        while (b.remaining() >= 4) {
            switch (random.nextInt(6)) {
                case 0 -> b.putInt(random.nextInt(8) - 2);            // small lengths / counts / -1
                case 1 -> b.putInt(random.nextInt());                 // anything
                case 2 -> b.putInt(OpCode.CREATE + random.nextInt(22)); // plausible multi op types
                case 3 -> b.put((byte) random.nextInt(2));            // booleans
                default -> b.put((byte) random.nextInt());
            }
        }
        return b.array();
    }

    @Test
    void hugeMultiIsBoundedByTheFrame() {
        // A multi of many tiny check ops: each needs 9 + 4 + 4 bytes, so the op count is bounded by the frame.
        ByteBuffer b = ByteBuffer.allocate(17 * 1000 + 9);
        for (int i = 0; i < 1000; i++) {
            b.putInt(OpCode.CHECK).put((byte) 0).putInt(-1).putInt(0).putInt(i);
        }
        b.putInt(-1).put((byte) 1).putInt(-1);
        Requests.Multi m = (Requests.Multi) Requests.decode(OpCode.MULTI, new JuteReader(b.array()));
        assertThat(m.ops()).hasSize(1000);
        assertThat(m.ops().get(999)).isEqualTo(new Requests.Op(OpCode.CHECK, new Requests.CheckVersion("", 999)));
        assertThat(List.copyOf(m.ops()).get(0).body()).isEqualTo(new Requests.CheckVersion("", 0));
    }
}
