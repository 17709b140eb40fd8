package io.ensemble.compat;

import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A hand-driven client connection: frames built with the Java client's own jute records, so the bytes are exactly
 * what a stock client sends, but nothing is sent unless the test says so (no pings, no reconnects). Used where the
 * Java client hides the wire (timeout negotiation, letting a session expire, rejected handshakes).
 */
final class RawZkConnection implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ConnectResponse connectResponse;
    private int nextXid = 1;

    private RawZkConnection(Socket socket, ConnectResponse connectResponse) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        this.connectResponse = connectResponse;
    }

    /** Opens a TCP connection and performs the handshake (readOnly byte sent, as the Java client does). */
    static RawZkConnection connect(int port, int timeoutMs, long sessionId, byte[] passwd) throws IOException {
        return connect(port, new ConnectRequest(0, 0, timeoutMs, sessionId, passwd, false));
    }

    static RawZkConnection connect(int port, ConnectRequest request) throws IOException {
        Socket socket = openSocket(port);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        writeFrame(out, null, request);
        byte[] frame = readFrame(in);
        ConnectResponse response = new ConnectResponse();
        response.deserialize(BinaryInputArchive.getArchive(new ByteArrayInputStream(frame)), "connect");
        return new RawZkConnection(socket, response);
    }

    static RawZkConnection connectNew(int port, int timeoutMs) throws IOException {
        return connect(port, timeoutMs, 0, new byte[16]);
    }

    static Socket openSocket(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    ConnectResponse connectResponse() {
        return connectResponse;
    }

    long sessionId() {
        return connectResponse.getSessionId();
    }

    byte[] passwd() {
        return connectResponse.getPasswd();
    }

    /**
     * Sends one request and reads frames until its reply arrives (notifications, xid -1, are skipped). The response
     * record is read only when err == 0 and {@code response} is not null.
     */
    ReplyHeader call(int type, Record request, Record response) throws IOException {
        int xid = nextXid++;
        writeFrame(out, new RequestHeader(xid, type), request);
        while (true) {
            byte[] frame = readFrame(in);
            BinaryInputArchive ia = BinaryInputArchive.getArchive(new ByteArrayInputStream(frame));
            ReplyHeader header = new ReplyHeader();
            header.deserialize(ia, "header");
            if (header.getXid() == -1 || header.getXid() == -2) {
                continue;
            }
            if (header.getXid() != xid) {
                throw new IOException("xid out of order: sent " + xid + ", got " + header.getXid());
            }
            if (header.getErr() == 0 && response != null) {
                response.deserialize(ia, "response");
            }
            return header;
        }
    }

    /** One reply frame: its header and the bytes after the 16-byte header. */
    record Frame(ReplyHeader header, byte[] body) {
        BinaryInputArchive bodyArchive() {
            return BinaryInputArchive.getArchive(new ByteArrayInputStream(body));
        }
    }

    /** Sends a request with an explicit xid; {@code request} may be null (no body). */
    void send(int xid, int type, Record request) throws IOException {
        writeFrame(out, new RequestHeader(xid, type), request);
    }

    /** Sends raw frame content (the length prefix is added). */
    void sendRaw(byte[] content) throws IOException {
        out.writeInt(content.length);
        out.write(content);
        out.flush();
    }

    /** Reads the next frame of any kind (reply, notification, ping reply). */
    Frame readFrame() throws IOException {
        byte[] frame = readFrame(in);
        BinaryInputArchive ia = BinaryInputArchive.getArchive(new ByteArrayInputStream(frame));
        ReplyHeader header = new ReplyHeader();
        header.deserialize(ia, "header");
        byte[] body = java.util.Arrays.copyOfRange(frame, 16, frame.length);
        return new Frame(header, body);
    }

    /** Sends a request with the next xid and returns its reply frame (notifications are skipped). */
    Frame callFrame(int type, Record request) throws IOException {
        int xid = nextXid++;
        send(xid, type, request);
        while (true) {
            Frame f = readFrame();
            if (f.header().getXid() == -1) {
                continue;
            }
            return f;
        }
    }

    /** Sends closeSession (-11) and returns its reply header. */
    ReplyHeader closeSession() throws IOException {
        return call(-11, null, null);
    }

    /** True when the server has closed the connection (EOF or reset), waiting at most the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static void writeFrame(DataOutputStream out, RequestHeader header, Record body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive oa = BinaryOutputArchive.getArchive(bytes);
        if (header != null) {
            header.serialize(oa, "header");
        }
        if (body != null) {
            body.serialize(oa, "request");
        }
        out.writeInt(bytes.size());
        bytes.writeTo(out);
        out.flush();
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 0xfffff) {
            throw new IOException("frame length out of range: " + len);
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        return frame;
    }
}
