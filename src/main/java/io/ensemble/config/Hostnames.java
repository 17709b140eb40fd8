package io.ensemble.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The StatefulSet naming of this pod: host name {@code <name>-<ordinal>}, server id ordinal + 1. */
final class Hostnames {
    private static final Pattern ORDINAL = Pattern.compile("^(.+)-(\\d+)$");

    private Hostnames() {
    }

    static Optional<String> hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return Optional.of(shortName(env.trim()));
        }
        try {
            return Optional.of(shortName(InetAddress.getLocalHost().getHostName()));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static String shortName(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    /** The pod ordinal from a name like {@code zk-2}, if the name has one. */
    static Optional<Integer> ordinal(String host) {
        Matcher m = ORDINAL.matcher(host);
        return m.matches() ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty();
    }

    static Optional<String> ordinalPrefix() {
        return hostName().map(ORDINAL::matcher).filter(Matcher::matches).map(m -> m.group(1));
    }
}
