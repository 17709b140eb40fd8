package io.ensemble.testing;

import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.RequestHeader;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * A client speaking the wire protocol by hand, so that it can misbehave: send without reading, trickle bytes,
 * connect from another loopback address (each 127.x.y.z is its own client IP for the per-IP limit).
 */
public final class RawSession implements AutoCloseable {
    public final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private long sessionId;

    private RawSession(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** A TCP connection from {@code fromAddress} (e.g. "127.0.0.2"), nothing sent yet. */
    public static RawSession open(String fromAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(fromAddress, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(30_000);
        return new RawSession(s);
    }

    /** A connection with a session: ConnectRequest sent and its answer read. */
    public static RawSession connect(String fromAddress, int port, int timeoutMs) throws IOException {
        RawSession r = open(fromAddress, port);
        r.sendFrame(jute(new ConnectRequest(0, 0, timeoutMs, 0, new byte[16], false)));
        ByteBuffer answer = ByteBuffer.wrap(r.readFrame());
        answer.getInt(); // protocol version
        answer.getInt(); // negotiated timeout
        r.sessionId = answer.getLong();
        return r;
    }

    public long sessionId() {
        return sessionId;
    }

    /** A request frame: RequestHeader(xid, type) then the body records, flushed. */
    public void request(int xid, int type, Record... body) throws IOException {
        sendFrame(concat(jute(new RequestHeader(xid, type)), jute(body)));
    }

    /** A request frame with a hand-made body (for bodies no record can express). */
    public void request(int xid, int type, byte[] body) throws IOException {
        sendFrame(concat(jute(new RequestHeader(xid, type)), body));
    }

    /** A request that is not flushed: many of them leave in a few large writes. */
    public void requestBuffered(int xid, int type, Record... body) throws IOException {
        byte[] payload = concat(jute(new RequestHeader(xid, type)), jute(body));
        out.writeInt(payload.length);
        out.write(payload);
    }

    public void flush() throws IOException {
        out.flush();
    }

    public void sendFrame(byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public byte[] readFrame() throws IOException {
        int len = in.readInt();
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** The error code of a reply frame (after xid and zxid). */
    public static int err(byte[] reply) {
        return ByteBuffer.wrap(reply).getInt(12);
    }

    /** The xid of a reply frame. */
    public static int xid(byte[] reply) {
        return ByteBuffer.wrap(reply).getInt(0);
    }

    /** Whether the server has closed the connection: waits up to {@code millis} for EOF, draining what comes. */
    public boolean closedByServer(int millis) {
        try {
            socket.setSoTimeout(millis);
            byte[] drain = new byte[64 * 1024];
            while (true) {
                if (socket.getInputStream().read(drain) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    public static byte[] jute(Record... records) {
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

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
