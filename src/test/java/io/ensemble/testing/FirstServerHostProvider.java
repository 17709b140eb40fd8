package io.ensemble.testing;

import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.client.StaticHostProvider;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The stock client's {@link StaticHostProvider} (shuffled server list, stock reconnect back-off) with its shuffle
 * seeded so that a given server comes first: a test knows which server a client starts on, and the stock client
 * decides where it goes when that server fails. Use with
 * {@code new ZooKeeper(connectString, timeout, watcher, false, FirstServerHostProvider.startingAt(port, ports))}.
 */
public final class FirstServerHostProvider {
    private FirstServerHostProvider() {
    }

    /** A provider over the 127.0.0.1 client {@code ports} whose first server is {@code firstPort}. */
    public static HostProvider startingAt(int firstPort, List<Integer> ports) {
        if (!ports.contains(firstPort)) {
            throw new IllegalArgumentException(firstPort + " is not one of " + ports);
        }
        List<InetSocketAddress> servers = ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
        InetSocketAddress first = new InetSocketAddress("127.0.0.1", firstPort);
        for (long seed = 0; ; seed++) { // each seed is one shuffle; 1 in ports.size() starts with the wanted server
            StaticHostProvider provider = new StaticHostProvider(servers, seed);
            if (provider.getServerAtIndex(0).equals(first)) {
                return provider;
            }
        }
    }
}
