package io.ensemble.compat;

import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.CreateOptions;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.WatcherEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Wire-level details the Java client hides or relies on silently, driven with hand-built frames made from the
 * client's own jute records (protocol sections 1-3, 6.3, 9 and 11).
 */
class RawProtocolCompatTest extends CompatTestBase {

    private RawZkConnection open() throws IOException {
        return RawZkConnection.connectNew(server.port(), 4000);
    }

    private static byte[] connectRequestWithoutReadOnlyByte() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        d.writeInt(0);          // protocolVersion
        d.writeLong(0);         // lastZxidSeen
        d.writeInt(4000);       // timeOut
        d.writeLong(0);         // sessionId
        d.writeInt(16);         // passwd length
        d.write(new byte[16]);
        return bytes.toByteArray();
    }

    @Test
    void connectResponseCarriesTheReadOnlyByteOnlyWhenTheRequestDid() throws Exception {
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] request = connectRequestWithoutReadOnlyByte();
            out.writeInt(request.length);
            out.write(request);
            out.flush();
            byte[] response = RawZkConnection.readFrame(in);
            assertThat(response.length).as("ConnectResponse without readOnly byte").isEqualTo(4 + 4 + 8 + 4 + 16);
            DataInputStream r = new DataInputStream(new ByteArrayInputStream(response));
            assertThat(r.readInt()).isZero();
            assertThat(r.readInt()).isEqualTo(4000);
            assertThat(r.readLong()).isNotZero();
            // the session works; close it
            RawZkConnection.writeFrame(out, new RequestHeader(1, OpCode.closeSession), null);
            byte[] reply = RawZkConnection.readFrame(in);
            assertThat(reply.length).as("closeSession reply has no body").isEqualTo(16);
        }
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            RawZkConnection.writeFrame(out, null, new ConnectRequest(0, 0, 4000, 0, new byte[16], false));
            byte[] response = RawZkConnection.readFrame(in);
            assertThat(response.length).as("ConnectResponse with readOnly byte").isEqualTo(4 + 4 + 8 + 4 + 16 + 1);
            assertThat(response[response.length - 1]).isZero();
        }
    }

    @Test
    void clientThatHasSeenAFutureZxidIsRefusedWithoutResponse() throws Exception {
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            RawZkConnection.writeFrame(out, null, new ConnectRequest(0, Long.MAX_VALUE / 2, 4000, 0, new byte[16], false));
            InputStream in = s.getInputStream();
            assertThat(readOrEof(in)).as("connection closed without a ConnectResponse").isEqualTo(-1);
        }
    }

    private static int readOrEof(InputStream in) {
        try {
            return in.read();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void requestPipelinedBehindTheConnectRequestIsAnsweredAfterTheHandshake() throws Exception {
        zk.create(p("n"), bytes("pipelined"), OPEN, CreateMode.PERSISTENT);
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(both);
            RawZkConnection.writeFrame(d, null, new ConnectRequest(0, 0, 4000, 0, new byte[16], false));
            RawZkConnection.writeFrame(d, new RequestHeader(1, OpCode.getData), new GetDataRequest(p("n"), false));
            OutputStream out = s.getOutputStream();
            out.write(both.toByteArray());   // one TCP write holding both frames
            out.flush();

            DataInputStream in = new DataInputStream(s.getInputStream());
            ConnectResponse cr = new ConnectResponse();
            cr.deserialize(org.apache.jute.BinaryInputArchive.getArchive(
                    new ByteArrayInputStream(RawZkConnection.readFrame(in))), "connect");
            assertThat(cr.getTimeOut()).isEqualTo(4000);
            byte[] reply = RawZkConnection.readFrame(in);
            var ia = org.apache.jute.BinaryInputArchive.getArchive(new ByteArrayInputStream(reply));
            ReplyHeader h = new ReplyHeader();
            h.deserialize(ia, "h");
            assertThat(h.getXid()).isEqualTo(1);
            assertThat(h.getErr()).isZero();
            GetDataResponse gd = new GetDataResponse();
            gd.deserialize(ia, "r");
            assertThat(str(gd.getData())).isEqualTo("pipelined");
        }
    }

    @Test
    void everyReplyCarriesTheLastZxidAndErrorRepliesHaveNoBody() throws Exception {
        try (RawZkConnection raw = open()) {
            Create2Response created = new Create2Response();
            RawZkConnection.Frame f = raw.callFrame(OpCode.create2,
                    new CreateRequest(p("n"), bytes("x"), OPEN, 0));
            assertThat(f.header().getErr()).isZero();
            created.deserialize(f.bodyArchive(), "r");
            long zxid = f.header().getZxid();
            assertThat(created.getStat().getCzxid()).as("write reply zxid is the write's zxid").isEqualTo(zxid);
            assertThat(created.getPath()).isEqualTo(p("n"));

            RawZkConnection.Frame read = raw.callFrame(OpCode.getData, new GetDataRequest(p("n"), false));
            assertThat(read.header().getZxid()).as("read reply carries the last zxid").isEqualTo(zxid);

            RawZkConnection.Frame missing = raw.callFrame(OpCode.exists, new ExistsRequest(p("missing"), false));
            assertThat(missing.header().getErr()).isEqualTo(-101);
            assertThat(missing.body()).as("exists NONODE has no body").isEmpty();
            assertThat(missing.header().getZxid()).isEqualTo(zxid);

            raw.send(-2, OpCode.ping, null);
            RawZkConnection.Frame ping = raw.readFrame();
            assertThat(ping.header().getXid()).isEqualTo(-2);
            assertThat(ping.header().getErr()).isZero();
            assertThat(ping.header().getZxid()).isEqualTo(zxid);
            assertThat(ping.body()).isEmpty();

            RawZkConnection.Frame failed = raw.callFrame(OpCode.create,
                    new CreateRequest(p("n"), null, OPEN, 0));
            assertThat(failed.header().getErr()).isEqualTo(-110);
            assertThat(failed.header().getZxid()).as("a failed write still consumes a zxid").isEqualTo(zxid + 1);

            RawZkConnection.Frame deleted = raw.callFrame(OpCode.delete, new DeleteRequest(p("n"), -1));
            assertThat(deleted.header().getErr()).isZero();
            assertThat(deleted.body()).as("delete reply has no body").isEmpty();
            assertThat(deleted.header().getZxid()).isEqualTo(zxid + 2);
            raw.closeSession();
        }
    }

    @Test
    void overlappingWatchesOfOneConnectionGetOneNotificationPerTrigger() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        try (RawZkConnection raw = open()) {
            assertThat(raw.callFrame(OpCode.exists, new ExistsRequest(p("n"), true)).header().getErr()).isZero();
            assertThat(raw.callFrame(OpCode.getData, new GetDataRequest(p("n"), true)).header().getErr()).isZero();
            assertThat(raw.callFrame(OpCode.addWatch, new AddWatchRequest(p("n"), 0)).header().getErr()).isZero();
            assertThat(raw.callFrame(OpCode.addWatch, new AddWatchRequest(root, 1)).header().getErr()).isZero();
            assertThat(raw.callFrame(OpCode.getChildren,
                    new org.apache.zookeeper.proto.GetChildrenRequest(p("n"), true)).header().getErr()).isZero();

            zk.setData(p("n"), bytes("x"), -1);
            zk.delete(p("n"), -1);
            // the next request's reply is preceded by exactly the notifications queued so far
            raw.send(100, OpCode.sync, new org.apache.zookeeper.proto.SyncRequest(root));
            List<String> events = new java.util.ArrayList<>();
            RawZkConnection.Frame f;
            while ((f = raw.readFrame()).header().getXid() == -1) {
                WatcherEvent e = new WatcherEvent();
                e.deserialize(f.bodyArchive(), "e");
                events.add(e.getType() + " " + e.getPath());
            }
            assertThat(f.header().getXid()).isEqualTo(100);
            assertThat(events).as("one DataChanged for exists+getData+persistent+recursive, one Deleted")
                    .containsExactly("3 " + p("n"), "2 " + p("n"));
            raw.closeSession();
        }
    }

    @Test
    void negativeFrameLengthClosesTheConnection() throws Exception {
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            RawZkConnection.writeFrame(out, null, new ConnectRequest(0, 0, 4000, 0, new byte[16], false));
            RawZkConnection.readFrame(new DataInputStream(s.getInputStream()));
            out.writeInt(-5);
            out.flush();
            assertThat(readOrEof(s.getInputStream())).isEqualTo(-1);
        }
    }

    @Test
    void addWatchReplyIsAFourByteZero() throws Exception {
        try (RawZkConnection raw = open()) {
            RawZkConnection.Frame f = raw.callFrame(OpCode.addWatch, new AddWatchRequest(p("anything"), 1));
            assertThat(f.header().getErr()).isZero();
            assertThat(f.body()).containsExactly(0, 0, 0, 0);
            raw.closeSession();
        }
    }

    @Test
    void xidZeroIsAcceptedAndEchoed() throws Exception {
        try (RawZkConnection raw = open()) {
            raw.send(0, OpCode.exists, new ExistsRequest(root, false));
            RawZkConnection.Frame f = raw.readFrame();
            assertThat(f.header().getXid()).isZero();
            assertThat(f.header().getErr()).isZero();
            assertThat(f.body()).hasSize(68);
            raw.closeSession();
        }
    }

    @Test
    void notificationHasXidMinusOneTheTriggeringZxidAndSyncConnectedState() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        try (RawZkConnection raw = open()) {
            assertThat(raw.callFrame(OpCode.getData, new GetDataRequest(p("n"), true)).header().getErr()).isZero();
            Stat stat = zk.setData(p("n"), bytes("x"), -1);
            RawZkConnection.Frame f = raw.readFrame();
            assertThat(f.header().getXid()).isEqualTo(-1);
            assertThat(f.header().getErr()).isZero();
            assertThat(f.header().getZxid()).isEqualTo(stat.getMzxid());
            WatcherEvent event = new WatcherEvent();
            event.deserialize(f.bodyArchive(), "event");
            assertThat(event.getType()).isEqualTo(3);
            assertThat(event.getState()).isEqualTo(3);
            assertThat(event.getPath()).isEqualTo(p("n"));
            raw.closeSession();
        }
    }

    @Test
    void standaloneCheckIsUnimplementedAndClosesTheConnection() throws Exception {
        try (RawZkConnection raw = open()) {
            RawZkConnection.Frame f = raw.callFrame(OpCode.check, new CheckVersionRequest(root, -1));
            assertThat(f.header().getErr()).isEqualTo(-6);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownOpcodeIsUnimplementedAndClosesTheConnection() throws Exception {
        try (RawZkConnection raw = open()) {
            RawZkConnection.Frame f = raw.callFrame(999, new ExistsRequest(root, false));
            assertThat(f.header().getErr()).isEqualTo(-6);
            assertThat(f.header().getZxid()).as("never reached the pipeline").isEqualTo(-1);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void invalidCreateFlagsAndTtlsAreBadArguments() throws Exception {
        try (RawZkConnection raw = open()) {
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("a"), null, OPEN, 7)).header().getErr())
                    .as("flags 7").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("a"), null, OPEN, 5)).header().getErr())
                    .as("TTL mode through plain create").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.createTTL, new CreateTTLRequest(p("a"), null, OPEN, 0, 1000))
                    .header().getErr()).as("TTL on a non-TTL mode").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.createTTL, new CreateTTLRequest(p("a"), null, OPEN, 5, 0))
                    .header().getErr()).as("ttl 0").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.createTTL, new CreateTTLRequest(p("a"), null, OPEN, 5, 1L << 40))
                    .header().getErr()).as("ttl 2^40").isEqualTo(-8);
            RawZkConnection.Frame ok = raw.callFrame(OpCode.createTTL,
                    new CreateTTLRequest(p("a"), null, OPEN, 5, (1L << 40) - 1));
            assertThat(ok.header().getErr()).as("ttl 2^40-1").isZero();
            Create2Response r = new Create2Response();
            r.deserialize(ok.bodyArchive(), "r");
            assertThat(r.getStat().getEphemeralOwner()).isZero();
            RawZkConnection.Frame container = raw.callFrame(OpCode.createContainer,
                    new CreateRequest(p("c"), null, OPEN, 4));
            assertThat(container.header().getErr()).isZero();
            Create2Response cr = new Create2Response();
            cr.deserialize(container.bodyArchive(), "r");
            assertThat(cr.getStat().getCzxid()).isEqualTo(container.header().getZxid());
            raw.closeSession();
        }
    }

    @Test
    void multiResultsEchoCreateOpcodesAndFailuresAreAllErrorEntries() throws Exception {
        try (RawZkConnection raw = open()) {
            MultiOperationRecord ok = new MultiOperationRecord(List.of(
                    Op.create(p("a"), null, OPEN, CreateMode.PERSISTENT),
                    Op.create(p("b"), null, CreateOptions.newBuilder(OPEN, CreateMode.PERSISTENT).build()),
                    Op.create(p("c"), null, OPEN, CreateMode.CONTAINER),
                    Op.setData(p("a"), bytes("x"), -1),
                    Op.check(p("a"), 1),
                    Op.delete(p("b"), -1)));
            MultiResponse response = new MultiResponse();
            ReplyHeader h = raw.call(OpCode.multi, ok, response);
            assertThat(h.getErr()).isZero();
            assertThat(response.getResultList().stream().map(OpResult::getType).toList())
                    .containsExactly(OpCode.create, OpCode.create2, OpCode.create2, OpCode.setData, OpCode.check,
                            OpCode.delete);

            MultiOperationRecord bad = new MultiOperationRecord(List.of(
                    Op.create(p("d"), null, OPEN, CreateMode.PERSISTENT),
                    Op.check(p("a"), 0),
                    Op.delete(p("a"), -1)));
            MultiResponse failed = new MultiResponse();
            ReplyHeader fh = raw.call(OpCode.multi, bad, failed);
            assertThat(fh.getErr()).as("a failed multi still has ReplyHeader.err 0").isZero();
            assertThat(failed.getResultList().stream().map(OpResult::getType).toList()).containsExactly(-1, -1, -1);
            assertThat(failed.getResultList().stream().map(r -> ((OpResult.ErrorResult) r).getErr()).toList())
                    .containsExactly(0, -103, -2);

            MultiResponse empty = new MultiResponse();
            ReplyHeader eh = raw.call(OpCode.multi, new MultiOperationRecord(), empty);
            assertThat(eh.getErr()).isZero();
            assertThat(empty.getResultList()).isEmpty();
            raw.closeSession();
        }
    }

    @Test
    void authReplyUsesXidMinusFourAndFailureClosesTheConnection() throws Exception {
        try (RawZkConnection raw = open()) {
            raw.send(-4, OpCode.auth, new AuthPacket(0, "digest", bytes("user:password")));
            RawZkConnection.Frame f = raw.readFrame();
            assertThat(f.header().getXid()).isEqualTo(-4);
            assertThat(f.header().getErr()).isZero();
            assertThat(f.body()).isEmpty();
            raw.closeSession();
        }
        try (RawZkConnection raw = open()) {
            raw.send(-4, OpCode.auth, new AuthPacket(0, "nosuchscheme", bytes("x")));
            RawZkConnection.Frame f = raw.readFrame();
            assertThat(f.header().getXid()).isEqualTo(-4);
            assertThat(f.header().getErr()).isEqualTo(-115);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void oversizedFrameClosesTheConnectionWithoutReply() throws Exception {
        try (RawZkConnection raw = open()) {
            ByteArrayOutputStream big = new ByteArrayOutputStream();
            BinaryOutputArchive oa = BinaryOutputArchive.getArchive(big);
            new RequestHeader(1, OpCode.setData).serialize(oa, "h");
            oa.writeString(root, "path");
            oa.writeBuffer(new byte[0x100000], "data");
            oa.writeInt(-1, "version");
            assertThatThrownBy(() -> {
                raw.sendRaw(big.toByteArray());
                raw.readFrame();
            }).isInstanceOf(IOException.class);
        }
        try (RawZkConnection again = open()) {
            assertThat(again.callFrame(OpCode.exists, new ExistsRequest(root, false)).header().getErr()).isZero();
            again.closeSession();
        }
    }

    @Test
    void serverSideValidationDependsOnTheOperation() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        try (RawZkConnection raw = open()) {
            // reads are not validated: a garbage path is simply not there
            assertThat(raw.callFrame(OpCode.getData, new GetDataRequest("no-slash", false)).header().getErr())
                    .isEqualTo(-101);
            assertThat(raw.callFrame(OpCode.getData, new GetDataRequest(p("x") + "/", false)).header().getErr())
                    .isEqualTo(-101);
            // ...except a NUL in an exists path
            assertThat(raw.callFrame(OpCode.exists, new ExistsRequest(p("a\u0000b"), false)).header().getErr())
                    .isEqualTo(-8);
            // create validates characters: control, DEL..U+009F, U+FFF0..U+FFFF
            for (String bad : List.of("c\u0001", "c\u007f", "c\u0085", "c\ufff5")) {
                assertThat(raw.callFrame(OpCode.create, new CreateRequest(p(bad), null, OPEN, 0)).header().getErr())
                        .as("create %s", bad.codePoints().mapToObj(Integer::toHexString).toList()).isEqualTo(-8);
            }
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("..."), null, OPEN, 0)).header().getErr())
                    .as("'...' is a legal name").isZero();
            // create validates the full path after the parent checks
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("."), null, OPEN, 0)).header().getErr())
                    .as("segment '.'").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("x") + "/", null, OPEN, 0)).header().getErr())
                    .as("trailing slash, non-sequential").isEqualTo(-8);
            assertThat(raw.callFrame(OpCode.create, new CreateRequest(p("missing") + "/.", null, OPEN, 0))
                    .header().getErr()).as("missing parent wins over the bad name").isEqualTo(-101);
            // setData validates the path before looking the node up
            assertThat(raw.callFrame(OpCode.setData, new org.apache.zookeeper.proto.SetDataRequest(
                    p("x") + "/../x", null, -1)).header().getErr()).isEqualTo(-8);
            // sync does not validate at all and echoes the path
            RawZkConnection.Frame sync = raw.callFrame(OpCode.sync, new org.apache.zookeeper.proto.SyncRequest("junk"));
            assertThat(sync.header().getErr()).isZero();
            org.apache.zookeeper.proto.SyncResponse sr = new org.apache.zookeeper.proto.SyncResponse();
            sr.deserialize(sync.bodyArchive(), "r");
            assertThat(sr.getPath()).isEqualTo("junk");
            raw.closeSession();
        }
    }

    @Test
    void setWatchesSendsCatchUpEventsBeforeItsReply() throws Exception {
        Stat d = new Stat();
        zk.create(p("d"), bytes("x"), OPEN, CreateMode.PERSISTENT, d);
        zk.create(p("c"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("c/kid"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("e"), null, OPEN, CreateMode.PERSISTENT);
        long before = d.getMzxid() - 1;   // the client "last saw" the zxid just before /d was written
        try (RawZkConnection raw = open()) {
            raw.send(7, OpCode.setWatches, new org.apache.zookeeper.proto.SetWatches(before,
                    List.of(p("d"), p("gone")),      // data: changed -> DataChanged, missing -> Deleted
                    List.of(p("e"), p("absent")),    // exist: present -> Created, missing -> registered
                    List.of(p("c"))));               // child: pzxid > relativeZxid -> ChildrenChanged
            List<String> events = new java.util.ArrayList<>();
            RawZkConnection.Frame f;
            while ((f = raw.readFrame()).header().getXid() == -1) {
                assertThat(f.header().getZxid()).as("setWatches events carry zxid -1").isEqualTo(-1);
                WatcherEvent e = new WatcherEvent();
                e.deserialize(f.bodyArchive(), "e");
                events.add(e.getType() + " " + e.getPath());
            }
            assertThat(f.header().getXid()).isEqualTo(7);
            assertThat(f.header().getErr()).isZero();
            assertThat(f.body()).as("setWatches reply has no body").isEmpty();
            assertThat(events).containsExactlyInAnyOrder(
                    "3 " + p("d"), "2 " + p("gone"), "1 " + p("e"), "4 " + p("c"));

            // watches that produced a catch-up event were consumed: this change must not notify
            zk.setData(p("d"), bytes("again"), -1);
            // the exists watch on the missing node was registered
            Stat absent = new Stat();
            zk.create(p("absent"), null, OPEN, CreateMode.PERSISTENT, absent);
            RawZkConnection.Frame created = raw.readFrame();
            assertThat(created.header().getXid()).isEqualTo(-1);
            assertThat(created.header().getZxid()).isEqualTo(absent.getCzxid());
            WatcherEvent e = new WatcherEvent();
            e.deserialize(created.bodyArchive(), "e");
            assertThat(e.getType()).isEqualTo(1);
            assertThat(e.getPath()).isEqualTo(p("absent"));
            raw.closeSession();
        }
    }

    /** A record holding one ustring: DeleteContainerRequest has no jute class in the client jar. */
    private record PathRecord(String path) implements org.apache.jute.Record {
        @Override
        public void serialize(org.apache.jute.OutputArchive archive, String tag) throws IOException {
            archive.writeString(path, "path");
        }

        @Override
        public void deserialize(org.apache.jute.InputArchive archive, String tag) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void multiWithAnOpTypeThatIsNotAllowedIsMarshallingErrorAndStillConsumesAZxid() throws Exception {
        Stat before = new Stat();
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT, before);
        try (RawZkConnection raw = open()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryOutputArchive oa = BinaryOutputArchive.getArchive(bytes);
            new RequestHeader(1, OpCode.multi).serialize(oa, "h");
            // MultiHeader{create} + CreateRequest
            oa.writeInt(OpCode.create, "type");
            oa.writeBool(false, "done");
            oa.writeInt(-1, "err");
            new CreateRequest(p("y"), null, OPEN, 0).serialize(oa, "op");
            // MultiHeader{setACL}: not allowed inside multi
            oa.writeInt(OpCode.setACL, "type");
            oa.writeBool(false, "done");
            oa.writeInt(-1, "err");
            new org.apache.zookeeper.proto.SetACLRequest(p("x"), OPEN, -1).serialize(oa, "op");
            oa.writeInt(-1, "type");
            oa.writeBool(true, "done");
            oa.writeInt(-1, "err");
            raw.sendRaw(bytes.toByteArray());
            RawZkConnection.Frame f = raw.readFrame();
            assertThat(f.header().getXid()).isEqualTo(1);
            assertThat(f.header().getErr()).isEqualTo(-5);
            assertThat(zk.exists(p("y"), false)).isNull();
            raw.closeSession();
        }
        Stat after = new Stat();
        zk.create(p("z"), null, OPEN, CreateMode.PERSISTENT, after);
        // session create (+1), the rejected multi (+1), session close (+1), this create (+1)
        assertThat(after.getCzxid()).as("the rejected multi consumed one zxid").isEqualTo(before.getCzxid() + 4);
    }

    @Test
    void deleteContainerOnlyDeletesEmptyContainerOrTtlNodes() throws Exception {
        zk.create(p("plain"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("busy"), null, OPEN, CreateMode.CONTAINER);
        zk.create(p("busy/kid"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("ttl"), null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 3_600_000);
        try (RawZkConnection raw = open()) {
            assertThat(raw.callFrame(OpCode.deleteContainer, new PathRecord(p("plain"))).header().getErr())
                    .as("not a container").isEqualTo(-103);
            assertThat(raw.callFrame(OpCode.deleteContainer, new PathRecord(p("busy"))).header().getErr())
                    .as("container with a child").isEqualTo(-111);
            RawZkConnection.Frame ttl = raw.callFrame(OpCode.deleteContainer, new PathRecord(p("ttl")));
            assertThat(ttl.header().getErr()).isZero();
            assertThat(ttl.body()).isEmpty();
            raw.closeSession();
        }
        assertThat(zk.exists(p("ttl"), false)).isNull();
        assertThat(zk.exists(p("plain"), false)).isNotNull();
    }

    @Test
    void saslRequestWithoutSaslConfiguredIsAnsweredWithANullToken() throws Exception {
        try (RawZkConnection raw = open()) {
            RawZkConnection.Frame f = raw.callFrame(OpCode.sasl,
                    new org.apache.zookeeper.proto.GetSASLRequest(new byte[] {1, 2, 3}));
            assertThat(f.header().getErr()).isZero();
            assertThat(f.body()).as("SetSASLResponse{token=null}").containsExactly(-1, -1, -1, -1);
            raw.closeSession();
        }
    }

    @Test
    void fourLetterWordsAnswerOnAFreshConnection() throws Exception {
        assertThat(fourLetterWord("ruok")).isEqualTo("imok");
        String srvr = fourLetterWord("srvr");
        assertThat(srvr).contains("Zookeeper version:").contains("Mode: " + server.mode()).contains("Zxid: 0x")
                .contains("Node count:");
        assertThat(fourLetterWord("isro")).isEqualTo("rw");
        assertThat(fourLetterWord("mntr")).contains("zk_server_state\t" + server.mode()).contains("zk_znode_count\t")
                .contains("zk_version\t").contains("zk_watch_count\t").contains("zk_ephemerals_count\t")
                .contains("zk_approximate_data_size\t").contains("zk_num_alive_connections\t")
                .contains("zk_outstanding_requests\t");
        String conf = fourLetterWord("conf");
        assertThat(conf).contains("tickTime=200").contains("maxClientCnxns=60")
                .contains("minSessionTimeout=400").contains("maxSessionTimeout=4000").contains("dataDir=");
        assertThat(conf.lines().toList()).as("0 standalone, the myid of the server in an ensemble")
                .contains("serverId=" + server.target().config().serverId());
        assertThat(fourLetterWord("envi")).startsWith("Environment:").contains("zookeeper.version=");
        String stat = fourLetterWord("stat");
        assertThat(stat).contains("Clients:").contains("Mode: " + server.mode());
        assertThat(stat.indexOf("Clients:")).isGreaterThan(stat.indexOf("Zookeeper version:"));
    }

    @Test
    void confReportsTheBoundClientPort() throws Exception {
        // ZooKeeperServer.dumpConf prints getClientPort(), the port the factory actually bound (here: an ephemeral one)
        assertThat(fourLetterWord("conf").lines().toList()).contains("clientPort=" + server.port());
    }

    private String fourLetterWord(String word) throws IOException {
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
