package io.ensemble.bench;

import org.HdrHistogram.Histogram;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.RequestHeader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many idle client sessions from one thread: each is a TCP connection that speaks the ZooKeeper client protocol with
 * the official client's own wire records (org.apache.zookeeper.proto ConnectRequest / ConnectResponse /
 * RequestHeader, jute-serialized exactly as {@code ClientCnxn} does): a connect request (session timeout
 * {@code sessionTimeoutMs}), a ping every third of the negotiated timeout while idle (as the official client), and
 * a closeSession at the end. The servers cannot tell these sessions from the official client's; the point is that
 * the official client costs two threads and three file descriptors per session, so 10,000 of them exceed this
 * machine's descriptor limit (20,000) and come close to its pid limit (32,768, shared with everything else).
 * At most {@link #WINDOW} connects or closes are in flight at a time.
 */
final class IdleSessions implements AutoCloseable {
    static final int WINDOW = 200;
    private static final int NEW = 0;
    private static final int CONNECTING = 1;
    private static final int HANDSHAKE = 2;
    private static final int OPEN = 3;
    private static final int CLOSING = 4;
    private static final int DONE = 5;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final List<InetSocketAddress> servers;
    private final int count;
    private final int sessionTimeoutMs;
    private final Selector selector;
    private final Conn[] conns;
    private final Histogram connectMicros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private final CountDownLatch settled = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final Thread thread;
    private final ByteBuffer ping = frame(new RequestHeader(-2, ZooDefs.OpCode.ping));
    private final ByteBuffer closeSession = frame(new RequestHeader(1, ZooDefs.OpCode.closeSession));
    private volatile boolean closeRequested;
    private volatile boolean stop;
    // loop thread only (published through the latches)
    private int next;
    private int inFlight;
    private int opened;
    private int failed;
    private int done;
    private int nextToClose;
    private long firstStart;
    private long lastOpen;
    private volatile int lostAfterOpen;

    /** @param connectStrings one {@code host:port} per server; session i goes to server i % n */
    IdleSessions(List<String> connectStrings, int count, int sessionTimeoutMs) throws IOException {
        this.servers = connectStrings.stream().map(s -> {
            int colon = s.lastIndexOf(':');
            return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }).toList();
        this.count = count;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.selector = Selector.open();
        this.conns = new Conn[count];
        this.thread = new Thread(this::loop, "idle-sessions");
        this.thread.setDaemon(true);
    }

    /** Opens every session; returns when all are open or have failed, or after {@code timeoutMs}. */
    void open(long timeoutMs) throws InterruptedException {
        thread.start();
        if (!settled.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            firstError.compareAndSet(null, "not all sessions open after " + timeoutMs + " ms");
        }
    }

    int opened() {
        return opened;
    }

    int failed() {
        return failed + lostAfterOpen;
    }

    String firstError() {
        return firstError.get();
    }

    /** Connect latency (new socket to ConnectResponse), microseconds. Read after {@link #open}. */
    Histogram connectMicros() {
        return connectMicros;
    }

    /** Seconds from the first connect to the last session open. */
    double connectSeconds() {
        return Math.max(1, lastOpen - firstStart) / 1e9;
    }

    /** Sends closeSession on every open session and waits (up to {@code timeoutMs}) for the answers. */
    void closeSessions(long timeoutMs) throws InterruptedException {
        closeRequested = true;
        selector.wakeup();
        if (!closed.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            firstError.compareAndSet(null, "not all sessions closed after " + timeoutMs + " ms");
        }
    }

    @Override
    public void close() {
        stop = true;
        selector.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn c : conns) {
            if (c != null) {
                c.closeChannel();
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void loop() {
        long lastSweep = System.nanoTime();
        try {
            while (!stop) {
                while (!closeRequested && inFlight < WINDOW && next < count) {
                    startConnect(next++);
                }
                if (closeRequested) {
                    while (inFlight < WINDOW && nextToClose < count) {
                        Conn c = conns[nextToClose++];
                        if (c != null && c.state == OPEN) {
                            c.state = CLOSING;
                            c.started = System.nanoTime();
                            inFlight++;
                            c.send(closeSession.duplicate());
                        } else if (c != null && c.state != DONE) {
                            c.finish();
                        }
                    }
                    if (nextToClose >= count && inFlight == 0) {
                        closed.countDown();
                    }
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    try {
                        if (!key.isValid() || c.state == DONE) {
                            continue;
                        }
                        if (key.isConnectable()) {
                            c.ch.finishConnect();
                            c.connected();
                        }
                        if (key.isValid() && key.isWritable()) {
                            c.flush();
                        }
                        if (key.isValid() && key.isReadable()) {
                            c.read();
                        }
                    } catch (IOException | RuntimeException e) {
                        c.fail(e.toString());
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - lastSweep > 200_000_000L) {
                    lastSweep = now;
                    sweep(now);
                }
            }
        } catch (IOException | RuntimeException e) {
            firstError.compareAndSet(null, "idle-session loop: " + e);
            settled.countDown();
            closed.countDown();
        }
    }

    /** Pings idle open sessions; fails connects that take too long. */
    private void sweep(long now) {
        for (int i = 0; i < next; i++) {
            Conn c = conns[i];
            if (c == null) {
                continue;
            }
            if (c.state == OPEN && now - c.lastSend >= c.pingNanos) {
                c.send(ping.duplicate());
            } else if ((c.state == CONNECTING || c.state == HANDSHAKE) && now - c.started > CONNECT_TIMEOUT_NANOS) {
                c.fail("no session within " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s");
            }
        }
    }

    private void startConnect(int i) {
        Conn c = new Conn(servers.get(i % servers.size()));
        conns[i] = c;
        inFlight++;
        c.started = System.nanoTime();
        if (firstStart == 0) {
            firstStart = c.started;
        }
        try {
            c.ch = SocketChannel.open();
            c.ch.configureBlocking(false);
            c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.state = CONNECTING;
            if (c.ch.connect(c.address)) {
                c.key = c.ch.register(selector, 0, c);
                c.connected();
            } else {
                c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
            }
        } catch (IOException e) {
            c.fail(e.toString());
        }
    }

    private void settleIfDone() {
        if (opened + failed == count) {
            settled.countDown();
        }
    }

    private static ByteBuffer frame(Record r) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryOutputArchive out = BinaryOutputArchive.getArchive(bytes);
            out.writeInt(-1, "len");
            r.serialize(out, "r");
            ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
            b.putInt(0, b.capacity() - 4);
            return b.asReadOnlyBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Conn {
        final InetSocketAddress address;
        SocketChannel ch;
        SelectionKey key;
        int state = NEW;
        long started;
        long lastSend;
        long pingNanos;
        ByteBuffer out;
        final ByteBuffer len = ByteBuffer.allocate(4);
        ByteBuffer body;

        Conn(InetSocketAddress address) {
            this.address = address;
        }

        void connected() {
            state = HANDSHAKE;
            send(IdleSessions.frame(new ConnectRequest(0, 0, sessionTimeoutMs, 0, new byte[16], false)));
        }

        void send(ByteBuffer b) {
            if (out != null && out.hasRemaining()) {
                if (b.remaining() == ping.remaining() && b.getInt(4) == -2) {
                    return; // a ping while the last frame is still queued behind a slow socket: skip it
                }
                ByteBuffer both = ByteBuffer.allocate(out.remaining() + b.remaining());
                both.put(out).put(b).flip();
                b = both;
            }
            out = b;
            lastSend = System.nanoTime();
            try {
                flush();
            } catch (IOException e) {
                fail(e.toString());
            }
        }

        void flush() throws IOException {
            if (out != null) {
                ch.write(out);
            }
            key.interestOps(out != null && out.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ
                    : SelectionKey.OP_READ);
        }

        void read() throws IOException {
            while (true) {
                ByteBuffer target = body == null ? len : body;
                int n = ch.read(target);
                if (n < 0) {
                    eof();
                    return;
                }
                if (target.hasRemaining()) {
                    return;
                }
                if (body == null) {
                    int size = len.getInt(0);
                    if (size < 0 || size > 1 << 20) {
                        throw new IOException("bad frame length " + size);
                    }
                    body = ByteBuffer.allocate(size);
                } else {
                    onFrame(body.array());
                    body = null;
                    len.clear();
                }
            }
        }

        void onFrame(byte[] b) throws IOException {
            if (state == HANDSHAKE) {
                ConnectResponse r = new ConnectResponse();
                r.deserialize(BinaryInputArchive.getArchive(new ByteArrayInputStream(b)), "connect");
                if (r.getTimeOut() <= 0) {
                    fail("session refused (timeout " + r.getTimeOut() + ")");
                    return;
                }
                long now = System.nanoTime();
                connectMicros.recordValue(Math.min((now - started) / 1000, connectMicros.getHighestTrackableValue()));
                pingNanos = TimeUnit.MILLISECONDS.toNanos(r.getTimeOut()) / 3;
                state = OPEN;
                inFlight--;
                opened++;
                lastOpen = now;
                settleIfDone();
            } else if (state == CLOSING && b.length >= 4 && ByteBuffer.wrap(b).getInt(0) == 1) {
                finish(); // the closeSession answer (xid 1)
            }
            // otherwise a ping answer
        }

        void eof() {
            if (state == CLOSING) {
                finish();
            } else {
                fail("connection closed by the server in state " + state);
            }
        }

        void finish() {
            if (state == CLOSING) {
                inFlight--;
            }
            state = DONE;
            done++;
            closeChannel();
        }

        void fail(String why) {
            if (state == DONE) {
                return; // a late event on a channel already closed
            }
            firstError.compareAndSet(null, address + ": " + why);
            if (state == OPEN) {
                lostAfterOpen++;
            } else if (state == CONNECTING || state == HANDSHAKE || state == NEW) {
                inFlight--;
                failed++;
                settleIfDone();
            } else if (state == CLOSING) {
                inFlight--;
            }
            state = DONE;
            closeChannel();
        }

        void closeChannel() {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
