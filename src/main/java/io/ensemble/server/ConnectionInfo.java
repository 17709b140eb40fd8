package io.ensemble.server;

import java.net.InetSocketAddress;

/**
 * One client connection as the stat / cons reports show it (ZooKeeper's ServerCnxn.getConnectionInfo).
 *
 * @param remoteAddress   "/ip:port" of the client
 * @param sessionId       the session, or 0 before the handshake
 * @param established     when the connection was accepted (ms since the epoch)
 * @param lastOperation   short name of the last completed request ("NA" before any)
 * @param lastCxid        xid of the last reply, -1 before any
 * @param lastZxid        zxid of the last reply, -1 before any
 */
public record ConnectionInfo(String remoteAddress, long sessionId, long packetsReceived, long packetsSent,
                             long established, int sessionTimeout, String lastOperation, int lastCxid,
                             long lastZxid, long minLatency, double avgLatency, long maxLatency) {

    static ConnectionInfo of(ClientConnection c) {
        ConnectionStats st = c.stats;
        var session = c.session();
        return new ConnectionInfo(address(c.remote()), session == null ? 0 : session.id(), st.receivedCount(),
                st.sentCount(), st.established, c.negotiatedTimeout(), st.lastOp(), st.lastCxid(), st.lastZxid(),
                st.latency().min(), st.latency().avg(), st.latency().max());
    }

    private static String address(InetSocketAddress a) {
        return a.toString().replaceFirst("^[^/]*", "");
    }
}
