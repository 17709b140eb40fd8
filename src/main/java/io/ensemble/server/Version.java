package io.ensemble.server;

/**
 * The version the server reports. It leads with the ZooKeeper release whose protocol it speaks, because tools
 * (kazoo's server_version, monitoring scripts) parse the leading digits of zookeeper.version.
 */
public final class Version {
    public static final String PROTOCOL = "3.9.4";
    public static final String ENSEMBLE = implementationVersion();
    public static final String FULL = PROTOCOL + "-ensemble-" + ENSEMBLE;

    private Version() {
    }

    private static String implementationVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
