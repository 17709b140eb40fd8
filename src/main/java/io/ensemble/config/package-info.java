/**
 * Server configuration: zoo.cfg and ZooKeeper system properties as MicroProfile ConfigSources, and the typed,
 * validated {@link io.ensemble.config.ServerConfig} built by {@link io.ensemble.config.ServerConfigLoader}.
 *
 * <h2>Sources, highest ordinal wins</h2>
 * <table>
 *   <caption>Config sources</caption>
 *   <tr><th>ordinal</th><th>source</th></tr>
 *   <tr><td>400</td><td>system properties: {@code -DtickTime=2000}; also ZooKeeper's own names through
 *       {@link io.ensemble.config.ZooKeeperSystemPropertiesConfigSource} ({@code zookeeper.X} → {@code X},
 *       {@code zookeeper.DigestAuthenticationProvider.superDigest} → {@code superDigest})</td></tr>
 *   <tr><td>300</td><td>env vars, by MicroProfile's rule (below)</td></tr>
 *   <tr><td>150</td><td>{@link io.ensemble.config.ZooCfgConfigSource}: the file named by {@code -Dzookeeper.config}
 *       or {@code $ZOO_CFG}</td></tr>
 *   <tr><td>100</td><td>META-INF/microprofile-config.properties</td></tr>
 *   <tr><td>-</td><td>ZooKeeper's defaults, in ServerConfigLoader</td></tr>
 * </table>
 *
 * <h2>Env var names</h2>
 * For a key Helidon looks up the env var named exactly like the key, then the key with every character other than
 * {@code [A-Za-z0-9_]} replaced by {@code _}, then that upper-cased: {@code tickTime} → {@code TICKTIME},
 * {@code dataDir} → {@code DATADIR}, {@code server.1} → {@code SERVER_1}, {@code admin.serverPort} →
 * {@code ADMIN_SERVERPORT}, {@code jute.maxbuffer} → {@code JUTE_MAXBUFFER}. A key that starts with a digit gives a
 * name shells reject ({@code 4LW_COMMANDS_WHITELIST}); it still works where it can be set (Docker, Kubernetes with
 * relaxed env names), and {@link io.ensemble.config.LeadingDigitEnvConfigSource} also accepts
 * {@code _4LW_COMMANDS_WHITELIST}. An empty value anywhere means "unset" (MicroProfile's rule), so the default
 * applies.
 */
package io.ensemble.config;
