package io.ensemble;

import io.ensemble.config.ConfigException;
import io.ensemble.config.ServerConfig;
import io.ensemble.config.ServerConfigLoader;
import io.ensemble.quorum.peer.QuorumPeer;
import io.ensemble.server.EnsembleServer;
import io.ensemble.storage.StorageException;
import io.helidon.logging.common.LogConfig;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Starts a server: {@code Main [path/to/zoo.cfg]}. The configuration is validated and the client port bound
 * before Helidon starts, so a bad value or a busy port ends start-up with one clear line, not a stack trace.
 * Helidon then serves health, metrics and admin commands on admin.serverPort (unless admin.enableServer=false).
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        if (args.length > 0) {
            System.setProperty("zookeeper.config", args[0]);
        }
        Config mpConfig = ConfigProvider.getConfig();
        ServerConfig config;
        try {
            config = ServerConfigLoader.load(mpConfig);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Effective configuration (key=value (source)):\n  "
                + String.join("\n  ", ServerConfigLoader.describe(mpConfig)));
        EnsembleServer server = new EnsembleServer(config, () -> System.exit(3));
        try {
            server.start();
        } catch (StorageException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("Cannot serve clients on port " + config.clientPort()
                    + (config.clientPortAddress() == null ? "" : " of " + config.clientPortAddress()) + ": "
                    + e.getMessage());
            System.exit(1);
            return;
        }
        QuorumPeer peer = null;
        if (config.replicated()) {
            peer = new QuorumPeer(server);
            try {
                peer.start();
            } catch (IOException e) {
                System.err.println("Cannot listen for leader election on port " + config.quorum().self().electionPort()
                        + ": " + e.getMessage());
                System.exit(1);
                return;
            }
        }
        RunningServer.set(server, peer);
        QuorumPeer started = peer;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (started != null) {
                started.close();
            }
            server.close();
        }, "ensemble-shutdown"));
        if (config.adminEnableServer()) {
            io.helidon.microprofile.cdi.Main.main(new String[0]);
        } else {
            new CountDownLatch(1).await();
        }
    }
}
