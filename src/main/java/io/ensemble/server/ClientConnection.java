package io.ensemble.server;

import io.ensemble.session.Session;
import io.ensemble.tree.Watcher;
import io.ensemble.wire.ConnectRequest;
import io.ensemble.wire.ConnectResponse;
import io.ensemble.wire.Id;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.JuteWriter;
import io.ensemble.wire.MalformedRecordException;
import io.ensemble.wire.Requests;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client TCP connection. A reader thread decodes frames and queues them for the processor; a writer thread
 * encodes everything queued for this connection (replies and watch events, in processing order) and sends them in
 * as few socket writes as possible. Both are virtual threads; no lock is held across I/O.
 */
final class ClientConnection implements Watcher {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    private static final Object CLOSE = new Object();
    private static final int WRITE_BATCH_BYTES = 64 * 1024;
    /** ZooKeeper's sessionlessCnxnTimeout: a connection must finish its handshake within this time. */
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    /**
     * Replies and events queued for a client that does not read them, in (estimated) bytes, before the connection
     * is closed: without a bound, one client that stops reading while it keeps asking, or while its watches fire,
     * holds server memory without limit. ZooKeeper has no such bound; this one is far above any reply burst a
     * reading client causes (override: -Densemble.maxUnsentBytes).
     */
    static final long MAX_UNSENT_BYTES = Long.getLong("ensemble.maxUnsentBytes", 64L << 20);

    private final long id;
    private final Socket socket;
    private final ServerContext ctx;
    private final InetSocketAddress remote;
    private final LinkedBlockingQueue<Object> outbox = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<Id> authIds = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Boolean> handshake = new CompletableFuture<>();
    private final AtomicLong unsent = new AtomicLong();
    /** The first frame (ConnectRequest or four-letter word) has been read in full. */
    private volatile boolean greeted;
    final ConnectionStats stats = new ConnectionStats();
    private volatile Session session;
    private volatile int negotiatedTimeout;

    ClientConnection(long id, Socket socket, ServerContext ctx) {
        this.id = id;
        this.socket = socket;
        this.ctx = ctx;
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        authIds.add(new Id("ip", remote.getAddress().getHostAddress()));
    }

    void start() {
        Thread.ofVirtual().name("client-read-" + id).start(this::readLoop);
        Thread.ofVirtual().name("client-write-" + id).start(this::writeLoop);
        // A deadline for the whole first frame, not each read: a client that trickles a byte at a time (slow
        // loris) must not keep a connection, and the frame buffer its length claimed, for ever.
        CompletableFuture.delayedExecutor(HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS).execute(() -> {
            if (!greeted && !closed.get()) {
                LOG.info("Closing connection " + this + ": no session handshake within " + HANDSHAKE_TIMEOUT_MS
                        + "ms");
                close();
            }
        });
    }

    long id() {
        return id;
    }

    InetSocketAddress remote() {
        return remote;
    }

    @Override
    public Collection<Id> authIds() {
        return authIds;
    }

    void addAuthId(Id id) {
        authIds.add(id);
    }

    Session session() {
        return session;
    }

    int negotiatedTimeout() {
        return negotiatedTimeout;
    }

    /** Called by the processor once the ConnectRequest is answered; true lets the reader go on. */
    void sessionEstablished(Session s, int timeout) {
        session = s;
        negotiatedTimeout = timeout;
        handshake.complete(true);
    }

    void handshakeRefused() {
        handshake.complete(false);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Queues a frame to send (a {@link Reply}, a {@link ConnectResponse} or raw text bytes). */
    void send(Object message) {
        if (closed.get()) {
            return;
        }
        long queued = unsent.addAndGet(OutputSize.of(message));
        if (queued > MAX_UNSENT_BYTES) {
            LOG.warning("Closing connection " + this + ": " + queued + " bytes of replies and events unsent (limit "
                    + MAX_UNSENT_BYTES + "); the client does not read what it asked for");
            close();
            return;
        }
        outbox.add(message);
    }

    /** Sends everything queued so far, then closes. */
    void closeAfterFlush() {
        if (!closed.get()) {
            outbox.add(CLOSE);
        }
    }

    /** Closes at once; the processor hears of it and drops the connection's watches. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            handshake.complete(false);
            outbox.add(CLOSE);
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
            ctx.connectionClosed(this);
        }
    }

    private void readLoop() {
        boolean flushFirst = false;
        // Not try-with-resources: closing the stream would close the socket before the writer has flushed.
        try {
            DataInputStream in = new DataInputStream(new ElasticInput(socket.getInputStream()));
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            int first = in.readInt();
            String word = FourLetterWords.wordOf(first);
            if (word != null) {
                greeted = true;
                send(ctx.fourLetterWord(word).getBytes(StandardCharsets.UTF_8));
                closeAfterFlush();
                flushFirst = true;
                return;
            }
            ConnectRequest connect = ConnectRequest.read(new JuteReader(readFrame(in, first)));
            greeted = true;
            ctx.submit(new Work.Connect(this, connect));
            boolean established = handshake.get();
            socket.setSoTimeout(0);
            if (!established) {
                // the processor has queued its answer (e.g. "session expired") and the close after it
                flushFirst = true;
                return;
            }
            while (!closed.get()) {
                readRequest(in);
            }
        } catch (EOFException e) {
            LOG.fine(() -> "connection " + this + " closed by the client");
        } catch (SocketTimeoutException e) {
            LOG.info("Closing connection " + this + ": no session handshake within " + HANDSHAKE_TIMEOUT_MS + "ms");
        } catch (BadFrameException | MalformedRecordException e) {
            LOG.warning("Closing connection " + this + ": " + e.getMessage());
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.fine(() -> "connection " + this + " lost: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Closing connection " + this + " after an unexpected error", e);
        } finally {
            if (!flushFirst) {
                close();
            }
        }
    }

    private void readRequest(DataInputStream in) throws IOException, InterruptedException {
        byte[] frame = readFrame(in, in.readInt());
        long received = System.nanoTime();
        if (frame.length < 8) {
            throw new BadFrameException("request of " + frame.length + " bytes is shorter than a RequestHeader");
        }
        JuteReader r = new JuteReader(frame);
        int xid = r.readInt();
        int type = r.readInt();
        stats.received();
        Requests.Body body = null;
        String error = null;
        try {
            body = Requests.decode(type, r);
        } catch (Requests.UnknownOpException e) {
            // no body and no error: the processor answers UNIMPLEMENTED
        } catch (MalformedRecordException e) {
            error = e.getMessage();
        }
        ctx.touch(this);
        ctx.submit(new Work.Request(this, xid, type, body, error, received, frame));
    }

    private byte[] readFrame(DataInputStream in, int len) throws IOException {
        if (len < 0 || len > ctx.config().juteMaxBuffer()) {
            throw new BadFrameException("frame length " + len + " is out of range (jute.maxbuffer is "
                    + ctx.config().juteMaxBuffer() + ")");
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        return frame;
    }

    private void writeLoop() {
        JuteWriter w = null;
        try {
            OutputStream out = socket.getOutputStream();
            boolean closing = false;
            while (!closing) {
                Object msg = outbox.take(); // close() always queues CLOSE, so this wakes up
                if (w == null) {
                    // sized for the first message: most batches of a connection that was idle hold just one reply
                    w = new JuteWriter((int) Math.min(WRITE_BATCH_BYTES, 256 + OutputSize.of(msg)));
                }
                w.reset();
                long batch = 0;
                while (msg != null) {
                    if (msg == CLOSE) {
                        closing = true;
                        break;
                    }
                    encode(msg, w);
                    batch += OutputSize.of(msg);
                    if (w.size() >= WRITE_BATCH_BYTES) {
                        break;
                    }
                    msg = outbox.poll();
                }
                if (w.size() > 0) {
                    out.write(w.asByteBuffer().array(), 0, w.size());
                    out.flush();
                }
                unsent.addAndGet(-batch);
                if (outbox.isEmpty()) {
                    w = null; // an idle connection keeps no buffer
                }
            }
        } catch (IOException e) {
            LOG.fine(() -> "write to " + this + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    private void encode(Object msg, JuteWriter w) {
        switch (msg) {
            case Reply r -> {
                r.write(w);
                stats.sent(r.xid(), r.zxid());
                ctx.stats().packetSent();
            }
            case ConnectResponse c -> {
                w.startFrame();
                c.write(w);
                w.endFrame();
            }
            case byte[] raw -> w.writeRaw(raw);
            default -> throw new IllegalStateException("cannot send " + msg);
        }
    }

    @Override
    public String toString() {
        Session s = session;
        return "/" + remote.getAddress().getHostAddress() + ":" + remote.getPort()
                + (s == null ? "" : " session 0x" + Long.toHexString(s.id()));
    }

    /** A frame that breaks the protocol: the connection is closed with a log line. */
    static final class BadFrameException extends IOException {
        BadFrameException(String message) {
            super(message);
        }
    }
}
