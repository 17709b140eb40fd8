package io.ensemble.quorum.election.tcp;

import io.ensemble.config.PeerSpec;
import io.ensemble.quorum.election.ElectionTransport.MessageHandler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's side of the single connection to one peer, with its send queue and sender thread.
 *
 * <p>ZooKeeper's rule decides who owns the connection: the higher id dials. The lower one, when it has something to
 * say and no connection, "knocks" (dials, introduces itself, hangs up) so that the higher one dials back. Host names
 * are resolved on every attempt, and failures of any kind are retried with a doubling backoff: in Kubernetes a
 * peer's name resolves only once its pod exists.
 */
final class PeerLink {

    private static final Logger LOG = Logger.getLogger(PeerLink.class.getName());

    private final long myId;
    private final PeerSpec peer;
    private final TransportOptions options;
    private final MessageHandler handler;
    /** Whether we dial this peer (we have the higher id) or wait for it to dial us. */
    private final boolean weDial;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Resent on a new connection when nothing else is queued: it may have died with the old one (as ZooKeeper). */
    private byte[] lastSent;
    private Connection connection;
    private boolean dialRequested;
    private boolean closed;
    private long backoffMillis;
    private boolean reportedUnresolved;

    PeerLink(long myId, PeerSpec peer, TransportOptions options, MessageHandler handler) {
        this.myId = myId;
        this.peer = peer;
        this.options = options;
        this.handler = handler;
        this.weDial = myId > peer.id();
        this.backoffMillis = options.backoffInitialMillis();
    }

    void start() {
        Thread.ofVirtual().name("election-send-" + peer.id()).start(this::sendLoop);
    }

    void enqueue(byte[] message) {
        withLock(() -> {
            if (queue.size() == options.queueCapacity()) {
                queue.pollFirst();
            }
            queue.addLast(message);
            changed.signalAll();
        });
    }

    /**
     * The peer (lower id) knocked: dial it back even if we have nothing to send yet. A connection we already hold
     * stays if it is fresh (the knock crossed our dial), but an older one is one the peer has given up on (it knocks
     * only when it has none), so it goes.
     */
    void requestDial() {
        withLock(() -> {
            if (connection != null && connection.ageMillis() < options.connectTimeoutMillis()) {
                return;
            }
            dialRequested = true;
            if (connection != null) {
                drop(connection);
            }
            changed.signalAll();
        });
    }

    /** The peer (higher id) dialled us: this connection replaces any older one. */
    void adopt(Connection fresh) {
        withLock(() -> {
            if (closed) {
                fresh.close();
                return;
            }
            install(fresh);
        });
    }

    boolean isConnected() {
        lock.lock();
        try {
            return connection != null;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        withLock(() -> {
            closed = true;
            if (connection != null) {
                connection.close();
                connection = null;
            }
            changed.signalAll();
        });
    }

    private void sendLoop() {
        while (true) {
            Connection conn;
            byte[] message;
            lock.lock();
            try {
                while (!closed && queue.isEmpty() && !(dialRequested && connection == null)) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                conn = connection;
                message = conn == null ? null : queue.pollFirst();
            } finally {
                lock.unlock();
            }
            if (conn == null) {
                connect();
            } else if (message != null) {
                write(conn, message);
            }
        }
    }

    private void connect() {
        Connection dialled = dial();
        if (dialled == null) {
            pause(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, options.backoffMaxMillis());
            return;
        }
        backoffMillis = options.backoffInitialMillis();
        if (weDial) {
            withLock(() -> {
                if (closed) {
                    dialled.close();
                } else {
                    install(dialled);
                }
            });
        } else {
            // Knocked: the peer drops this and dials back. Wait a while for that before knocking again.
            dialled.close();
            pause(options.backoffMaxMillis());
        }
    }

    /** Connects and sends our handshake; null (and logged) on any failure. */
    private Connection dial() {
        Socket socket = new Socket();
        try {
            InetAddress address = InetAddress.getByName(peer.host());
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address, peer.electionPort()), options.connectTimeoutMillis());
            Connection conn = new Connection(socket);
            Frames.writeHandshake(conn.out, myId);
            reportedUnresolved = false;
            return conn;
        } catch (UnknownHostException e) {
            if (!reportedUnresolved) {
                reportedUnresolved = true;
                LOG.info(() -> "election: host " + peer.host() + " of server " + peer.id()
                        + " does not resolve yet; retrying");
            }
        } catch (IOException e) {
            LOG.fine(() -> "election: cannot reach server " + peer.id() + " at " + peer.host() + ":"
                    + peer.electionPort() + ": " + e.getMessage());
        }
        closeQuietly(socket);
        return null;
    }

    /** Makes {@code fresh} the connection and starts reading it. Lock held. */
    private void install(Connection fresh) {
        if (connection != null) {
            connection.close();
        }
        connection = fresh;
        dialRequested = false;
        if (queue.isEmpty() && lastSent != null) {
            queue.addLast(lastSent);
        }
        changed.signalAll();
        Thread.ofVirtual().name("election-recv-" + peer.id()).start(() -> readLoop(fresh));
    }

    private void write(Connection conn, byte[] message) {
        try {
            Frames.writeFrame(conn.out, message);
            withLock(() -> lastSent = message);
        } catch (IOException e) {
            LOG.fine(() -> "election: send to server " + peer.id() + " failed: " + e.getMessage());
            withLock(() -> {
                lastSent = message;
                drop(conn);
            });
        }
    }

    private void readLoop(Connection conn) {
        try {
            while (true) {
                byte[] body = Frames.readFrame(conn.in, options.maxFrameBytes());
                handler.onMessage(peer.id(), body);
            }
        } catch (Frames.BadFrameException | IllegalArgumentException e) {
            LOG.warning(() -> "election: bad message from server " + peer.id() + ", closing " + conn + ": "
                    + e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.FINE, "election: connection to server " + peer.id() + " ended", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "election: handler failed on a message from server " + peer.id(), e);
        }
        withLock(() -> drop(conn));
    }

    /** Forgets {@code conn} if it is still the current connection. Lock held. */
    private void drop(Connection conn) {
        conn.close();
        if (connection == conn) {
            connection = null;
            changed.signalAll();
        }
    }

    /** Waits up to {@code millis}, waking early when closed or when a connection arrives. */
    private void pause(long millis) {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!closed && connection == null && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void withLock(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already failed; nothing to add
        }
    }
}
