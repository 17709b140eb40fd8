package io.ensemble.config;

/**
 * One {@code server.N} line: {@code host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]}.
 * Host names are kept as written: in Kubernetes a peer's name resolves only once its pod exists, so resolving is
 * the connecting side's job (and it retries).
 *
 * @param clientPort 0 when the line names none
 */
public record PeerSpec(long id, String host, int quorumPort, int electionPort, boolean observer, String clientHost,
                       int clientPort) {

    /** Parses the value of server.id; throws IllegalArgumentException naming what is wrong. */
    public static PeerSpec parse(long id, String value) {
        String address = value;
        String client = null;
        int semi = value.indexOf(';');
        if (semi >= 0) {
            address = value.substring(0, semi).trim();
            client = value.substring(semi + 1).trim();
        }
        String host;
        String rest;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed [ in an IPv6 address");
            }
            host = address.substring(1, close);
            rest = address.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("expected :quorumPort after the address");
            }
            rest = rest.substring(1);
        } else {
            int colon = address.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected host:quorumPort:electionPort");
            }
            host = address.substring(0, colon);
            rest = address.substring(colon + 1);
        }
        String[] parts = rest.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("expected host:quorumPort:electionPort[:participant|:observer]");
        }
        int quorumPort = port(parts[0], "quorumPort");
        int electionPort = port(parts[1], "electionPort");
        if (quorumPort == electionPort) {
            throw new IllegalArgumentException("quorumPort and electionPort must differ");
        }
        boolean observer = false;
        if (parts.length == 3) {
            observer = switch (parts[2].trim()) {
                case "observer" -> true;
                case "participant" -> false;
                default -> throw new IllegalArgumentException("role must be participant or observer, not '"
                        + parts[2] + "'");
            };
        }
        String clientHost = null;
        int clientPort = 0;
        if (client != null && !client.isEmpty()) {
            int colon = client.lastIndexOf(':');
            if (colon >= 0) {
                clientHost = client.substring(0, colon);
                clientPort = port(client.substring(colon + 1), "clientPort");
            } else {
                clientPort = port(client, "clientPort");
            }
        }
        return new PeerSpec(id, host, quorumPort, electionPort, observer, clientHost, clientPort);
    }

    private static int port(String s, String what) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(what + " '" + s + "' is not a port number 1-65535");
    }

    /** The line as ZooKeeper's conf prints it. */
    public String toLine() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return h + ":" + quorumPort + ":" + electionPort + ":" + (observer ? "observer" : "participant")
                + (clientPort == 0 ? "" : ";" + (clientHost == null ? "" : clientHost + ":") + clientPort);
    }
}
