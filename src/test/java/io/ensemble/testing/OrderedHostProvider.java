package io.ensemble.testing;

import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.client.StaticHostProvider;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The stock client's {@link StaticHostProvider} (its round robin, its reconnect back-off) with its shuffle seeded so
 * that the servers come in the order a test wants: the test knows which server a client starts on and where it goes
 * when that one fails. Use with {@code new ZooKeeper(connectString, timeout, watcher, false, provider)}.
 */
public final class OrderedHostProvider {
    /** Seeds to try before giving up: far more than the orders of the few servers a test runs. */
    private static final long MAX_SEEDS = 1_000_000;

    private OrderedHostProvider() {
    }

    /** Tries the servers with these 127.0.0.1 client {@code ports} strictly in this order, round after round. */
    public static HostProvider inOrder(List<Integer> ports) {
        return startingWith(ports, ports);
    }

    /** Starts with the server at {@code firstPort}; the others follow in the order of the seed's shuffle. */
    public static HostProvider startingAt(int firstPort, List<Integer> ports) {
        if (!ports.contains(firstPort)) {
            throw new IllegalArgumentException(firstPort + " is not one of " + ports);
        }
        return startingWith(List.of(firstPort), ports);
    }

    /** A provider over {@code ports} whose order begins with {@code prefix}. */
    private static HostProvider startingWith(List<Integer> prefix, List<Integer> ports) {
        List<InetSocketAddress> servers = addresses(ports);
        List<InetSocketAddress> wanted = addresses(prefix);
        for (long seed = 0; seed < MAX_SEEDS; seed++) { // each seed is one shuffle
            StaticHostProvider provider = new StaticHostProvider(servers, seed);
            if (beginsWith(provider, wanted)) {
                return provider;
            }
        }
        throw new IllegalStateException("no shuffle of " + ports + " starts with " + prefix);
    }

    private static boolean beginsWith(StaticHostProvider provider, List<InetSocketAddress> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            if (!wanted.get(i).equals(provider.getServerAtIndex(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<InetSocketAddress> addresses(List<Integer> ports) {
        return ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
    }
}
