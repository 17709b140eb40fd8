package io.ensemble.quorum.election.tcp;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.election.ElectionTransport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The election port, like ZooKeeper's QuorumCnxManager: one TCP connection per pair of servers, owned by the higher
 * id (a connection from a lower id is dropped and the higher one dials back), length-framed messages, a bounded send
 * queue per peer, reconnects with backoff. Virtual threads do the blocking I/O: one acceptor, one sender per peer and
 * one reader per connection. A bad frame closes that one connection.
 */
public final class TcpElectionTransport implements ElectionTransport {

    private static final Logger LOG = Logger.getLogger(TcpElectionTransport.class.getName());

    private final long myId;
    private final ServerSocket listener;
    private final TransportOptions options;
    private final Collection<PeerSpec> peers;
    private final Map<Long, PeerLink> links = new TreeMap<>();
    private volatile boolean closed;

    /**
     * @param listener an already bound socket on this server's election port (tests bind port 0 on loopback, so
     *                 there is no race for free ports)
     * @param peers    every server of the ensemble; this server's own entry is skipped
     */
    public TcpElectionTransport(long myId, Collection<PeerSpec> peers, ServerSocket listener,
                                TransportOptions options) {
        this.myId = myId;
        this.listener = listener;
        this.options = options;
        this.peers = peers.stream().filter(p -> p.id() != myId).toList();
    }

    /**
     * Binds this server's election port on all addresses (a pod does not know its own address before it starts), or
     * with quorumListenOnAllIPs=false on its own server.N host only.
     */
    public static TcpElectionTransport bind(QuorumConfig config) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(config.listenAddress(config.self().electionPort()));
        return new TcpElectionTransport(config.myId(), config.peers(), listener, TransportOptions.defaults());
    }

    @Override
    public synchronized void start(MessageHandler handler) {
        if (!links.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (PeerSpec peer : peers) {
            PeerLink link = new PeerLink(myId, peer, options, handler);
            links.put(peer.id(), link);
            link.start();
        }
        AcceptLoop.start("election-accept-" + myId, listener, () -> closed, this::handshake);
    }

    @Override
    public void send(long to, byte[] message) {
        PeerLink link = link(to);
        if (link != null) {
            link.enqueue(message);
        }
    }

    /** Whether a connection to server {@code sid} is open right now (for tests and the admin view). */
    public boolean isConnected(long sid) {
        PeerLink link = link(sid);
        return link != null && link.isConnected();
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
        synchronized (this) {
            links.values().forEach(PeerLink::close);
        }
    }

    private synchronized PeerLink link(long sid) {
        return links.get(sid);
    }

    /** Reads who dialled, then applies the rule that the higher id owns the connection. */
    private void handshake(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(options.connectTimeoutMillis());
            Connection conn = new Connection(socket);
            long sid = Frames.readHandshake(conn.in);
            socket.setSoTimeout(0);
            PeerLink link = link(sid);
            if (link == null) {
                LOG.warning(() -> "election: server " + sid + " from " + socket.getRemoteSocketAddress()
                        + " is not in the ensemble; closing");
                conn.close();
            } else if (sid < myId) {
                conn.close();
                link.requestDial();
            } else {
                link.adopt(conn);
            }
        } catch (IOException e) {
            LOG.fine(() -> "election: dropped a connection from " + socket.getRemoteSocketAddress() + " during "
                    + "handshake: " + e.getMessage());
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
