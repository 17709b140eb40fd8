package io.ensemble.fuzz;

import io.ensemble.config.ServerConfig;
import io.ensemble.server.EnsembleServer;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile bytes on raw sockets against a real in-JVM server, while one healthy Java client keeps working. A bad
 * connection must be cut (or answered, where ZooKeeper answers) without disturbing anyone else.
 */
class MalformedFrameTest {
    private static final int MAX_BUFFER = 0xfffff;
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);
    /** ZooKeeper closes connections that never finish a handshake after zookeeper.nio.sessionlessCnxnTimeout. */
    private static final Duration SESSIONLESS_TIMEOUT = Duration.ofSeconds(10);
    /** Every error code a ZooKeeper 3.9 server may put in a ReplyHeader. */
    private static final Set<Integer> KNOWN_ERRORS = Set.of(0, -2, -3, -5, -6, -8, -12, -13, -14, -101, -102,
            -103, -108, -110, -111, -112, -114, -115, -118, -119, -120, -121, -123, -124, -125, -127);

    @TempDir
    static Path tempDir;

    private static EnsembleServer server;
    private static int port;
    private static ZooKeeper healthy;
    private static int healthyOps;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        ServerConfig cfg = ServerConfig.builder().clientPort(0).tickTime(200).dataDir(tempDir)
                .adminEnableServer(false).build();
        server = new EnsembleServer(cfg);
        server.start();
        port = server.clientPort();
        CountDownLatch connected = new CountDownLatch(1);
        healthy = new ZooKeeper("127.0.0.1:" + port, 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(30, TimeUnit.SECONDS)).as("healthy client connected").isTrue();
        healthy.create("/fuzz", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (healthy != null) {
            healthy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** After every case: the healthy session still reads and writes, and new handshakes are accepted. */
    @AfterEach
    void serverIsStillHealthy() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        byte[] data = ("op " + ++healthyOps).getBytes(StandardCharsets.UTF_8);
        String path = healthy.create("/fuzz/n-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        assertThat(healthy.getData(path, false, null)).isEqualTo(data);
        assertThat(healthy.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
        try (Socket s = open()) {
            ConnectResponse r = handshake(s);
            assertThat(r.getTimeOut()).isPositive();
            assertThat(r.getSessionId()).isNotZero();
        }
    }

    // ---- framing ----

    @Test
    void negativeFrameLengthClosesTheConnection() throws Exception {
        for (int len : new int[]{-1, -5, Integer.MIN_VALUE}) {
            Socket s = open();
            send(s, ints(len), new byte[16]);
            awaitClosedByServer(s, CLOSE_WITHIN);
        }
    }

    @Test
    void negativeFrameLengthAfterHandshakeClosesTheConnection() throws Exception {
        Socket s = open();
        handshake(s);
        send(s, ints(-2), new byte[8]);
        awaitClosedByServer(s, CLOSE_WITHIN);
    }

    @Test
    void frameLongerThanJuteMaxBufferClosesTheConnection() throws Exception {
        Socket first = open();
        send(first, ints(MAX_BUFFER + 1));
        awaitClosedByServer(first, CLOSE_WITHIN);

        Socket second = open();
        handshake(second);
        send(second, ints(MAX_BUFFER + 1), new byte[64]);
        awaitClosedByServer(second, CLOSE_WITHIN);

        Socket third = open();
        handshake(third);
        send(third, ints(Integer.MAX_VALUE));
        awaitClosedByServer(third, CLOSE_WITHIN);
    }

    @Test
    void frameOfExactlyJuteMaxBufferIsAccepted() throws Exception {
        Socket s = open();
        handshake(s);
        String path = "/fuzz/max";
        int fixed = 8 + (4 + path.length()) + 4 + (4 + 4 + 4 + "world".length() + 4 + "anyone".length()) + 4;
        byte[] data = new byte[MAX_BUFFER - fixed];
        Arrays.fill(data, (byte) 'x');
        byte[] frame = jute(new RequestHeader(1, ZooDefs.OpCode.create),
                new CreateRequest(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
        assertThat(frame).hasSize(MAX_BUFFER);
        send(s, ints(frame.length), frame);
        DataInputStream in = new DataInputStream(s.getInputStream());
        Reply r = readReply(in);
        assertThat(r.header.getXid()).isEqualTo(1);
        assertThat(r.header.getErr()).isZero();
        assertThat(r.read(new CreateResponse()).getPath()).isEqualTo(path);
        assertThat(healthy.exists(path, false).getDataLength()).isEqualTo(data.length);
        healthy.delete(path, -1);
    }

    // ---- handshake ----

    @Test
    void truncatedConnectRequestClosesTheConnection() throws Exception {
        byte[] full = jute(new ConnectRequest(0, 0, 4000, 0, new byte[16], false));
        for (int len : new int[]{0, 3, 12, 20, 27, 30, full.length - 2}) {
            Socket s = open();
            send(s, ints(len), Arrays.copyOf(full, len));
            awaitClosedByServer(s, CLOSE_WITHIN);
        }
    }

    @Test
    void connectRequestCutOffMidFrameClosesTheConnection() throws Exception {
        byte[] full = jute(new ConnectRequest(0, 0, 4000, 0, new byte[16], false));
        Socket s = open();
        send(s, ints(full.length), Arrays.copyOf(full, 10));
        s.shutdownOutput();
        awaitClosedByServer(s, CLOSE_WITHIN);
    }

    @Test
    void garbageBytesCloseTheConnection() throws Exception {
        List<byte[]> garbage = List.of(
                "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "hello, world\n".getBytes(StandardCharsets.US_ASCII),
                new byte[]{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03}, // TLS hello
                new byte[]{0, 0, 0, 5, 1, 2, 3, 4, 5},
                new byte[]{(byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, 0, 0, 0});
        for (byte[] g : garbage) {
            Socket s = open();
            send(s, g);
            awaitClosedByServer(s, CLOSE_WITHIN);
        }
    }

    /**
     * ZooKeeper closes a connection that never completes its handshake after sessionlessCnxnTimeout (10 s), so
     * idle sockets cannot pin a slot of maxClientCnxns forever.
     */
    @Test
    void clientThatSendsNothingIsDisconnected() throws Exception {
        Socket silent = open();
        Socket stalled = open();
        send(stalled, ints(45), new byte[7]); // a ConnectRequest that never finishes
        awaitClosedByServer(silent, SESSIONLESS_TIMEOUT.plusSeconds(10));
        awaitClosedByServer(stalled, Duration.ofSeconds(5));
    }

    // ---- requests after a good handshake ----

    @Test
    void requestShorterThanAHeaderClosesTheConnection() throws Exception {
        for (int len : new int[]{0, 1, 4, 7}) {
            Socket s = open();
            handshake(s);
            send(s, ints(len), new byte[len]);
            awaitClosedByServer(s, CLOSE_WITHIN);
        }
    }

    @Test
    void unknownOpcodeIsAnsweredUnimplementedThenClosed() throws Exception {
        for (int type : new int[]{999, 10, 0, 13, -3}) {
            Socket s = open();
            handshake(s);
            send(s, frame(jute(new RequestHeader(7, type))));
            Reply r = readReply(new DataInputStream(s.getInputStream()));
            assertThat(r.header.getXid()).isEqualTo(7);
            assertThat(r.header.getZxid()).isEqualTo(-1);
            assertThat(r.header.getErr()).as("type %d", type).isEqualTo(-6);
            awaitClosedByServer(s, CLOSE_WITHIN);
        }
    }

    @Test
    void truncatedRequestRecordIsAnsweredWithMarshallingError() throws Exception {
        byte[] getData = jute(new RequestHeader(3, ZooDefs.OpCode.getData), new GetDataRequest("/fuzz", true));
        byte[] create = jute(new RequestHeader(4, ZooDefs.OpCode.create),
                new CreateRequest("/fuzz/c", new byte[10], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
        for (byte[] full : List.of(getData, create)) {
            Socket s = open();
            handshake(s);
            send(s, frame(Arrays.copyOf(full, full.length - 3)));
            Reply r = readReply(new DataInputStream(s.getInputStream()));
            assertThat(r.header.getXid()).isEqualTo(full == getData ? 3 : 4);
            assertThat(r.header.getErr()).as("MARSHALLINGERROR").isEqualTo(-5);
            assertThat(r.body.available()).as("no body on an error reply").isZero();
        }
        assertThat(healthy.exists("/fuzz/c", false)).isNull();
    }

    /**
     * ZooKeeper's FinalRequestProcessor / PrepRequestProcessor turn an undecodable request body into a
     * MARSHALLINGERROR reply and keep the connection: the next request on it is served.
     */
    @Test
    void connectionSurvivesAMarshallingError() throws Exception {
        Socket s = open();
        handshake(s);
        byte[] full = jute(new RequestHeader(3, ZooDefs.OpCode.getData), new GetDataRequest("/fuzz", false));
        send(s, frame(Arrays.copyOf(full, full.length - 3)));
        send(s, frame(jute(new RequestHeader(-2, ZooDefs.OpCode.ping))));
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertThat(readReply(in).header.getErr()).isEqualTo(-5);
        Reply ping = readReply(in);
        assertThat(ping.header.getXid()).as("ping answered after the marshalling error").isEqualTo(-2);
        assertThat(ping.header.getErr()).isZero();
    }

    /** reconfig must decode: with reconfig disabled ZooKeeper answers RECONFIGDISABLED and keeps the connection. */
    @Test
    void reconfigIsAnsweredReconfigDisabled() throws Exception {
        Socket s = open();
        handshake(s);
        send(s, frame(jute(new RequestHeader(5, ZooDefs.OpCode.reconfig),
                new org.apache.zookeeper.proto.ReconfigRequest(null, null, "server.1=localhost:2888:3888", -1))));
        send(s, frame(jute(new RequestHeader(-2, ZooDefs.OpCode.ping))));
        DataInputStream in = new DataInputStream(s.getInputStream());
        Reply r = readReply(in);
        assertThat(r.header.getXid()).isEqualTo(5);
        assertThat(r.header.getErr()).as("RECONFIGDISABLED").isEqualTo(-123);
        assertThat(readReply(in).header.getXid()).isEqualTo(-2);
    }

    // ---- random frames ----

    private static final int[] KNOWN_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            22, 100, 101, 102, 103, 104, 105, 106, 107, -11};

    /**
     * A few hundred seeded random frames: half as the very first frame of a connection, half as a request after a
     * good handshake (a known opcode with a random body, or a random opcode). Each connection must either be
     * closed by the server or keep answering (a ping sent behind the random frame gets its reply), and every
     * reply must be well-formed.
     */
    @Test
    void randomFramesAreSurvived() throws Exception {
        Random random = new Random(0xE45E_B1EL);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int sent = 0;
        int closed = 0;
        int answered = 0;
        for (int i = 0; i < 300 && System.nanoTime() < deadline; i++, sent++) {
            try (Socket s = open()) {
                if (i % 2 == 0) {
                    byte[] body = randomBytes(random, random.nextInt(64));
                    send(s, ints(body.length), body);
                    awaitClosedByServer(s, CLOSE_WITHIN);
                    closed++;
                    continue;
                }
                handshake(s);
                int xid = 1 + random.nextInt(1000);
                int type = random.nextInt(4) == 0 ? random.nextInt() : KNOWN_TYPES[random.nextInt(KNOWN_TYPES.length)];
                byte[] body = randomBody(random);
                byte[] request = ByteBuffer.allocate(8 + body.length).putInt(xid).putInt(type).put(body).array();
                if (!sendQuietly(s, frame(request), frame(jute(new RequestHeader(-2, ZooDefs.OpCode.ping))))) {
                    awaitClosedByServer(s, CLOSE_WITHIN);
                    closed++;
                    continue;
                }
                if (readUntilPingOrClose(s, xid, type)) {
                    answered++;
                } else {
                    closed++;
                }
            }
        }
        assertThat(sent).as("frames sent within the time bound").isGreaterThanOrEqualTo(100);
        assertThat(closed + answered).isEqualTo(sent);
        assertThat(closed).as("connections cut").isPositive();
        assertThat(answered).as("connections that kept answering").isPositive();
    }

    /** True if the ping came back (the connection survived), false if the server closed it. */
    private static boolean readUntilPingOrClose(Socket s, int xid, int type) throws IOException {
        s.setSoTimeout((int) CLOSE_WITHIN.toMillis());
        DataInputStream in = new DataInputStream(s.getInputStream());
        boolean sawReply = false;
        while (true) {
            Reply r;
            try {
                r = readReply(in);
            } catch (EOFException | java.net.SocketException e) {
                return false;
            }
            int got = r.header.getXid();
            assertThat(r.header.getErr()).as("error code for type %d", type).isIn(KNOWN_ERRORS);
            if (got == -2 && type != ZooDefs.OpCode.ping) {
                return true;
            }
            if (got == -1) {
                continue; // a watch notification
            }
            assertThat(sawReply).as("one reply per request (type %d)", type).isFalse();
            assertThat(got).as("reply xid for type %d", type).isIn(xid, -4, -2);
            sawReply = true;
        }
    }

    // ---- helpers ----

    private record Reply(ReplyHeader header, ByteArrayInputStream body) {
        <T extends Record> T read(T record) throws IOException {
            record.deserialize(BinaryInputArchive.getArchive(body), "body");
            return record;
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) CLOSE_WITHIN.toMillis());
        sockets.add(s);
        return s;
    }

    private static ConnectResponse handshake(Socket s) throws IOException {
        send(s, frame(jute(new ConnectRequest(0, 0, 4000, 0, new byte[16], false))));
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readInt();
        assertThat(len).isBetween(36, 37);
        byte[] body = new byte[len];
        in.readFully(body);
        ConnectResponse r = new ConnectResponse();
        r.deserialize(BinaryInputArchive.getArchive(new ByteArrayInputStream(body)), "connect");
        assertThat(r.getTimeOut()).isPositive();
        return r;
    }

    private static Reply readReply(DataInputStream in) throws IOException {
        int len = in.readInt();
        assertThat(len).as("reply frame length").isBetween(16, MAX_BUFFER);
        byte[] frame = new byte[len];
        in.readFully(frame);
        ByteArrayInputStream body = new ByteArrayInputStream(frame);
        ReplyHeader header = new ReplyHeader();
        header.deserialize(BinaryInputArchive.getArchive(body), "header");
        return new Reply(header, body);
    }

    /** Waits until the server closes the socket (EOF or reset); replies sent before the close are drained. */
    private static void awaitClosedByServer(Socket s, Duration within) throws IOException {
        s.setSoTimeout(200);
        InputStream in = s.getInputStream();
        byte[] drain = new byte[8192];
        await().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            try {
                return in.read(drain) < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        });
    }

    private static void send(Socket s, byte[]... parts) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (byte[] p : parts) {
            out.write(p);
        }
        out.flush();
    }

    /** Sends, reporting false instead of failing if the server already closed the connection. */
    private static boolean sendQuietly(Socket s, byte[]... parts) {
        try {
            send(s, parts);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private static byte[] jute(Record... records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive oa = BinaryOutputArchive.getArchive(bytes);
        try {
            for (Record r : records) {
                r.serialize(oa, "r");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Random request bodies biased to small lengths and counts, so decoding gets past the first field. */
    private static byte[] randomBody(Random random) {
        ByteBuffer b = ByteBuffer.allocate(random.nextInt(120));
        while (b.remaining() >= 4) {
            switch (random.nextInt(5)) {
                case 0 -> b.putInt(random.nextInt(6) - 2);
                case 1 -> b.putInt(random.nextInt());
                case 2 -> b.put((byte) '/');
                case 3 -> b.put((byte) random.nextInt(2));
                default -> b.put((byte) random.nextInt());
            }
        }
        return b.array();
    }
}
