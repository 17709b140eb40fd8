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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A learner's one connection to the leader it elected. It dials until connected or until the give-up time (the
 * driver passes initLimit * tickTime) has passed, re-resolving the host name on each attempt (in Kubernetes a name
 * resolves only once its pod exists) with a doubling backoff.
 *
 * <p>A connection that ends before the leader has sent anything is dialled again, up to {@value #MAX_REDIALS} times,
 * and what was sent on it is sent again: a proxy or sidecar in the path accepts a connection before the leader
 * listens and then closes it, which would otherwise send a learner back to election each time it is quicker than
 * its leader (who then waits initLimit for followers). Such a redial gets one try: a refused one means the leader
 * itself is gone. Once the leader has spoken the connection is never replaced: when it ends, or connecting gives
 * up, the driver hears {@code onDisconnected} once and goes back to election.
 *
 * <p>{@link #send} queues at once, also before the connection is up (FOLLOWERINFO can be sent right after
 * {@link #start}); a full queue ends the connection rather than dropping a message.
 */
public final class LearnerConnector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LearnerConnector.class.getName());
    private static final int MAX_REDIALS = 5;

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
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Guards replacing the attempt, {@link #unanswered}, {@link #closedByDriver} and the redial pause. */
    private final Object lock = new Object();
    private volatile Attempt attempt;
    /** Set once the leader's first message arrives; from then on {@link #attempt} never changes. */
    private volatile boolean leaderSpoke;
    /** What was sent before the leader spoke: a redial sends it again. */
    private final List<ZabMessage> unanswered = new ArrayList<>();
    private boolean closedByDriver;
    private volatile long deadlineNanos;
    private int redials;
    private long redialPauseMillis;
    private boolean reportedUnresolved;

    public LearnerConnector(long myId, boolean observer, String leaderHost, int leaderPort, QuorumLinkOptions options,
                            long giveUpAfterMillis, Handler handler) {
        this.hello = new QuorumHandshake(myId, observer);
        this.leaderHost = leaderHost;
        this.leaderPort = leaderPort;
        this.options = options;
        this.giveUpAfterMillis = giveUpAfterMillis;
        this.handler = handler;
        this.redialPauseMillis = options.backoffInitialMillis();
        this.attempt = new Attempt(false);
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
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(giveUpAfterMillis);
        dialInBackground(attempt, 0);
    }

    /** Queues {@code message} for the leader; false once the connection has ended. */
    public boolean send(ZabMessage message) {
        if (leaderSpoke) {
            return attempt.channel.send(message);
        }
        synchronized (lock) {
            if (!leaderSpoke) {
                unanswered.add(message);
            }
            return attempt.channel.send(message);
        }
    }

    /** Waits up to {@code millis} until what is queued for the leader is on the socket (crash tests). */
    public boolean awaitFlushed(long millis) {
        return attempt.channel.awaitFlushed(millis);
    }

    public boolean isConnected() {
        return attempt.channel.isConnected();
    }

    @Override
    public void close() {
        Attempt current;
        synchronized (lock) {
            closedByDriver = true;
            current = attempt;
        }
        closing.countDown();
        current.channel.end("closed by the learner");
    }

    private void dialInBackground(Attempt target, long pauseMillis) {
        Thread.ofVirtual().name("quorum-connect-" + hello.sid()).start(() -> connectLoop(target, pauseMillis));
    }

    private void connectLoop(Attempt target, long pauseMillis) {
        long backoff = options.backoffInitialMillis();
        while (!target.channel.isEnded()) {
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (pauseMillis > 0 && leftMillis > 0) {
                if (!pause(target, Math.min(pauseMillis, leftMillis))) {
                    return;
                }
                leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            }
            if (leftMillis <= 0) {
                target.channel.end("no connection to the leader at " + leaderHost + ":" + leaderPort + " within "
                        + giveUpAfterMillis + " ms");
                return;
            }
            Connection conn = dial((int) Math.min(options.connectTimeoutMillis(), leftMillis));
            if (conn != null) {
                target.reachedLeader = true;
                target.channel.attach(conn);
                return;
            }
            if (target.redial) {
                target.channel.end("the leader at " + leaderHost + ":" + leaderPort
                        + " closed the connection before speaking and no longer accepts one");
                return;
            }
            pauseMillis = backoff;
            backoff = Math.min(backoff * 2, options.backoffMaxMillis());
        }
    }

    /** Waits {@code millis}; false if the driver closed the connector meanwhile or the wait was interrupted. */
    private boolean pause(Attempt target, long millis) {
        try {
            return !closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.channel.end("interrupted while connecting");
            return false;
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

    /** Whether {@code from} is the current attempt; its first message marks the leader as having spoken. */
    private boolean heard(Attempt from) {
        if (leaderSpoke) {
            return from == attempt;
        }
        synchronized (lock) {
            if (from != attempt) {
                return false; // a replaced attempt's reader, racing its own end
            }
            leaderSpoke = true;
            unanswered.clear();
            return true;
        }
    }

    private void ended(Attempt which, String reason) {
        Attempt next;
        long pause;
        synchronized (lock) {
            if (closedByDriver || which != attempt) {
                return;
            }
            if (leaderSpoke || !which.reachedLeader || redials == MAX_REDIALS
                    || System.nanoTime() - deadlineNanos >= 0) {
                next = null;
                pause = 0;
            } else {
                redials++;
                next = new Attempt(true);
                attempt = next;
                unanswered.forEach(next.channel::send);
                pause = redialPauseMillis;
                redialPauseMillis = Math.min(redialPauseMillis * 2, options.backoffMaxMillis());
            }
        }
        if (next == null) {
            handler.onDisconnected(reason);
            return;
        }
        LOG.info(() -> "quorum: the connection to the leader at " + leaderHost + ":" + leaderPort
                + " ended before the leader spoke (" + reason + "); dialling again");
        dialInBackground(next, pause);
    }

    /** One connection attempt: its channel, whether it redials, and whether its dial reached the leader's port. */
    private final class Attempt implements QuorumChannel.Receiver {
        final QuorumChannel channel;
        final boolean redial;
        volatile boolean reachedLeader;

        Attempt(boolean redial) {
            this.redial = redial;
            channel = new QuorumChannel("leader-" + leaderHost + ":" + leaderPort, options, this);
        }

        @Override
        public void onMessage(ZabMessage message) {
            if (heard(this)) {
                handler.onMessage(message);
            }
        }

        @Override
        public void onSnapshot(Snap snap, InputStream body) throws IOException {
            if (heard(this)) {
                handler.onSnapshot(snap, body);
            }
        }

        @Override
        public void onEnded(String reason) {
            ended(this, reason);
        }
    }
}
