package io.ensemble.quorum.transport;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.election.tcp.Connection;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Snap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A learner's one connection to the leader it elected. It dials until connected or until the give-up time (the
 * driver passes initLimit * tickTime) has passed, re-resolving the host name on each attempt (in Kubernetes a name
 * resolves only once its pod exists) with a doubling backoff. Once connected it never reconnects: when the
 * connection ends, or connecting gives up, the driver hears {@code onDisconnected} once and goes back to election.
 *
 * <p>{@link #send} queues at once, also before the connection is up (FOLLOWERINFO can be sent right after
 * {@link #start}); a full queue ends the connection rather than dropping a message.
 */
public final class LearnerConnector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LearnerConnector.class.getName());

    /** What the driver hears from the leader; called on the reader thread, in arrival order. */
    public interface Handler {
        void onMessage(ZabMessage message);

        /**
         * SNAP and the snapshot after it: {@code body} ends where the snapshot ends and may be read only during the
         * call (the rest is skipped after it returns). Throwing ends the connection.
         */
        void onSnapshot(Snap snap, InputStream body) throws IOException;

        /** Connecting gave up or the connection ended; called once, and not for {@link #close}. */
        void onDisconnected(String reason);
    }

    private final QuorumHandshake hello;
    private final String leaderHost;
    private final int leaderPort;
    private final QuorumLinkOptions options;
    private final long giveUpAfterMillis;
    private final Handler handler;
    private final QuorumChannel channel;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean closedByDriver;
    private boolean reportedUnresolved;

    public LearnerConnector(long myId, boolean observer, String leaderHost, int leaderPort, QuorumLinkOptions options,
                            long giveUpAfterMillis, Handler handler) {
        this.hello = new QuorumHandshake(myId, observer);
        this.leaderHost = leaderHost;
        this.leaderPort = leaderPort;
        this.options = options;
        this.giveUpAfterMillis = giveUpAfterMillis;
        this.handler = handler;
        this.channel = new QuorumChannel("leader-" + leaderHost + ":" + leaderPort, options, new Receiver());
    }

    /** A connector to server {@code leaderId} of {@code config}, giving up after initLimit ticks. */
    public static LearnerConnector forLeader(QuorumConfig config, long leaderId, int tickTimeMillis,
                                             QuorumLinkOptions options, Handler handler) {
        PeerSpec leader = config.peer(leaderId)
                .orElseThrow(() -> new IllegalArgumentException("leader " + leaderId + " is not in the ensemble"));
        return new LearnerConnector(config.myId(), config.self().observer(), leader.host(), leader.quorumPort(),
                options, (long) config.initLimit() * tickTimeMillis, handler);
    }

    public void start() {
        Thread.ofVirtual().name("quorum-connect-" + hello.sid()).start(this::connectLoop);
    }

    /** Queues {@code message} for the leader; false once the connection has ended. */
    public boolean send(ZabMessage message) {
        return channel.send(message);
    }

    /** Waits up to {@code millis} until what is queued for the leader is on the socket (crash tests). */
    public boolean awaitFlushed(long millis) {
        return channel.awaitFlushed(millis);
    }

    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public void close() {
        closedByDriver = true;
        closing.countDown();
        channel.end("closed by the learner");
    }

    private void connectLoop() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(giveUpAfterMillis);
        long backoff = options.backoffInitialMillis();
        while (!channel.isEnded()) {
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMillis <= 0) {
                channel.end("no connection to the leader at " + leaderHost + ":" + leaderPort + " within "
                        + giveUpAfterMillis + " ms");
                return;
            }
            Connection conn = dial((int) Math.min(options.connectTimeoutMillis(), leftMillis));
            if (conn != null) {
                channel.attach(conn);
                return;
            }
            try {
                if (closing.await(Math.min(backoff, leftMillis), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.end("interrupted while connecting");
                return;
            }
            backoff = Math.min(backoff * 2, options.backoffMaxMillis());
        }
    }

    /** Connects and sends the handshake; null (and logged) on any failure. */
    private Connection dial(int timeoutMillis) {
        Socket socket = new Socket();
        try {
            InetAddress address = InetAddress.getByName(leaderHost);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address, leaderPort), timeoutMillis);
            Connection conn = new Connection(socket);
            hello.writeTo(conn.out);
            return conn;
        } catch (UnknownHostException e) {
            if (!reportedUnresolved) {
                reportedUnresolved = true;
                LOG.info(() -> "quorum: leader host " + leaderHost + " does not resolve yet; retrying");
            }
        } catch (IOException e) {
            LOG.fine(() -> "quorum: cannot reach the leader at " + leaderHost + ":" + leaderPort + ": " + e);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already failed; nothing to add
        }
        return null;
    }

    private final class Receiver implements QuorumChannel.Receiver {
        @Override
        public void onMessage(ZabMessage message) {
            handler.onMessage(message);
        }

        @Override
        public void onSnapshot(Snap snap, InputStream body) throws IOException {
            handler.onSnapshot(snap, body);
        }

        @Override
        public void onEnded(String reason) {
            if (!closedByDriver) {
                handler.onDisconnected(reason);
            }
        }
    }
}
