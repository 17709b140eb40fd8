package io.ensemble.quorum.transport;

import io.ensemble.quorum.election.tcp.AcceptLoop;
import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.election.tcp.Connection;
import io.ensemble.quorum.election.tcp.Frames.BadFrameException;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.FollowerInfo;
import io.ensemble.quorum.zab.ZabMessage.ObserverInfo;
import io.ensemble.quorum.zab.ZabMessage.Snap;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The leader's end of the quorum port: accepts learners, checks who they are against the {@link QuorumConfig}, and
 * gives the driver each learner's messages and disconnects. At most one connection per learner: a new one from the
 * same server replaces the old (the driver first hears the old one's disconnect).
 *
 * <p>Callbacks run on reader threads, one learner's in order, never two at once; once {@code onDisconnected(sid)}
 * has been called no message of that connection follows. They should be quick (hand over to the driver's queue).
 */
public final class LeaderListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaderListener.class.getName());

    /** What the driver hears from the learners. */
    public interface Handler {
        void onMessage(long sid, ZabMessage message);

        /** The connection of learner {@code sid} ended (not called for {@link #disconnect} or {@link #close}). */
        void onDisconnected(long sid, String reason);
    }

    private final QuorumConfig config;
    private final ServerSocket listener;
    private final QuorumLinkOptions options;
    private final Handler handler;
    private final FanOutEncoder fanOut;
    private final ConcurrentHashMap<Long, QuorumChannel> channels = new ConcurrentHashMap<>();
    /** Serialises callbacks with connection changes, so a replaced or ended connection delivers nothing more. */
    private final Object deliveryLock = new Object();
    private volatile boolean closed;

    /**
     * @param listener an already bound socket on the quorum port (tests bind port 0 on loopback, so there is no race
     *                 for free ports)
     */
    public LeaderListener(QuorumConfig config, ServerSocket listener, QuorumLinkOptions options, Handler handler) {
        this.config = config;
        this.listener = listener;
        this.options = options;
        this.handler = handler;
        this.fanOut = new FanOutEncoder(options.maxFrameBytes());
    }

    /**
     * Binds this server's quorum port on all addresses (a pod does not know its own address before it starts), or
     * with quorumListenOnAllIPs=false on its own server.N host only.
     */
    public static LeaderListener bind(QuorumConfig config, QuorumLinkOptions options, Handler handler)
            throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(config.listenAddress(config.self().quorumPort()));
        return new LeaderListener(config, listener, options, handler);
    }

    public void start() {
        AcceptLoop.start("quorum-accept-" + config.myId(), listener, () -> closed, this::handshake);
    }

    /**
     * Queues {@code message} for learner {@code sid}; false if it is not connected (the message is dropped). Sending
     * one message instance to several learners encodes it once.
     */
    public boolean send(long sid, ZabMessage message) {
        QuorumChannel channel = channels.get(sid);
        return channel != null && channel.send(message, fanOut::encode);
    }

    /** Queues SNAP then the snapshot {@code writer} produces, written when the learner's queue reaches it. */
    public boolean sendSnapshot(long sid, Snap snap, SnapshotWriter writer) {
        QuorumChannel channel = channels.get(sid);
        return channel != null && channel.sendSnapshot(snap, writer);
    }

    /** Waits up to {@code millis} until what is queued for learner {@code sid} is on its socket (crash tests). */
    public boolean awaitFlushed(long sid, long millis) {
        QuorumChannel channel = channels.get(sid);
        return channel != null && channel.awaitFlushed(millis);
    }

    /** Closes the connection of learner {@code sid}, if any (the driver decided: no callback). */
    public void disconnect(long sid) {
        QuorumChannel channel;
        synchronized (deliveryLock) {
            channel = channels.remove(sid);
        }
        if (channel != null) {
            channel.end("disconnected by the leader");
        }
    }

    /** The learners connected now. */
    public Set<Long> connected() {
        return new TreeSet<>(channels.keySet());
    }

    public int localPort() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // the acceptor ends either way
        }
        for (Long sid : channels.keySet()) {
            disconnect(sid);
        }
    }

    private void handshake(Socket socket) {
        Connection conn = null;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(options.connectTimeoutMillis());
            conn = new Connection(socket);
            QuorumHandshake hello = QuorumHandshake.readFrom(conn.in);
            socket.setSoTimeout(0);
            String refusal = refusal(hello);
            if (refusal != null) {
                LOG.warning("quorum: refusing " + socket.getRemoteSocketAddress() + ": " + refusal);
                conn.close();
                return;
            }
            admit(hello, conn);
        } catch (IOException e) {
            LOG.fine(() -> "quorum: dropped " + socket.getRemoteSocketAddress() + " during handshake: " + e);
            if (conn != null) {
                conn.close();
            } else {
                closeQuietly(socket);
            }
        }
    }

    /** Why a learner may not join, or null. Ids must be in the config, and observer-ness must match it. */
    private String refusal(QuorumHandshake hello) {
        PeerSpec spec = config.peer(hello.sid()).orElse(null);
        if (spec == null || hello.sid() == config.myId()) {
            return "server " + hello.sid() + " is not a learner of this ensemble";
        }
        if (spec.observer() != hello.observer()) {
            return "server " + hello.sid() + " claims to be " + role(hello.observer()) + " but is configured as "
                    + role(spec.observer());
        }
        return null;
    }

    private void admit(QuorumHandshake hello, Connection conn) {
        long sid = hello.sid();
        LearnerReceiver receiver = new LearnerReceiver(hello);
        QuorumChannel fresh = new QuorumChannel("learner-" + sid, options, receiver);
        receiver.channel = fresh;
        QuorumChannel old;
        synchronized (deliveryLock) {
            if (closed) {
                fresh.end("leader closed");
                conn.close();
                return;
            }
            old = channels.put(sid, fresh);
            if (old != null) {
                handler.onDisconnected(sid, "replaced by a new connection");
            }
        }
        if (old != null) {
            old.end("replaced by a new connection");
        }
        fresh.attach(conn);
    }

    private static String role(boolean observer) {
        return observer ? "an observer" : "a voter";
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** One learner connection's messages, checked against the handshake, handed to the driver while current. */
    private final class LearnerReceiver implements QuorumChannel.Receiver {
        private final QuorumHandshake hello;
        private volatile QuorumChannel channel;

        LearnerReceiver(QuorumHandshake hello) {
            this.hello = hello;
        }

        @Override
        public void onMessage(ZabMessage message) throws IOException {
            checkIdentity(message);
            synchronized (deliveryLock) {
                if (channels.get(hello.sid()) == channel) {
                    handler.onMessage(hello.sid(), message);
                }
            }
        }

        @Override
        public void onSnapshot(Snap snap, InputStream body) throws IOException {
            throw new BadFrameException("a learner sent SNAP");
        }

        @Override
        public void onEnded(String reason) {
            synchronized (deliveryLock) {
                if (channels.remove(hello.sid(), channel) && !closed) {
                    handler.onDisconnected(hello.sid(), reason);
                }
            }
        }

        /** FOLLOWERINFO/OBSERVERINFO must name the server the handshake named, in the role it claimed. */
        private void checkIdentity(ZabMessage message) throws BadFrameException {
            boolean ok = switch (message) {
                case FollowerInfo f -> f.sid() == hello.sid() && !hello.observer();
                case ObserverInfo o -> o.sid() == hello.sid() && hello.observer();
                default -> true;
            };
            if (!ok) {
                throw new BadFrameException(message + " does not match the handshake of server " + hello.sid());
            }
        }
    }
}
