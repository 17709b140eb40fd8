package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * zkCli ({@code org.apache.zookeeper.ZooKeeperMain}) run as its own JVM, one command per process, exactly as
 * {@code zkCli.sh -server host:port cmd args} does; stdout is captured and checked.
 */
class ZkCliCompatTest extends CompatTestBase {

    record CliResult(int exitCode, String stdout, String stderr) {
        /** Everything zkCli printed: 3.9 prints command results to stderr, next to its log lines. */
        String output() {
            return stdout + "\n" + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** zkCli runs in its own JVM on the test classpath (commons-cli included as a test dependency). */
    private static String cliClasspath() {
        return System.getProperty("java.class.path");
    }

    private CliResult cli(String... command) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", cliClasspath(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "org.apache.zookeeper.ZooKeeperMain", "-server", server.connectString(), "-timeout", "30000"));
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile(dataDir, "cli", ".out");
        Path err = Files.createTempFile(dataDir, "cli", ".err");
        Process process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("zkCli did not finish: " + String.join(" ", command));
            }
        } finally {
            process.destroyForcibly();
        }
        return new CliResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void createGetStatLsAndDeleteallThroughZkCli() throws Exception {
        String x = p("x");
        CliResult create = cli("create", x, "hello");
        assertThat(create.exitCode()).as("%s", create).isZero();
        assertThat(create.output()).as("%s", create).contains("Created " + x);
        assertThat(str(zk.getData(x, false, null))).isEqualTo("hello");

        zk.create(x + "/child", null, OPEN, CreateMode.PERSISTENT);
        zk.create(x + "/child/grandchild", null, OPEN, CreateMode.PERSISTENT);

        CliResult ls = cli("ls", root);
        assertThat(ls.exitCode()).as("%s", ls).isZero();
        assertThat(ls.output()).as("%s", ls).contains("[x]");
        CliResult lsRoot = cli("ls", "/");
        assertThat(lsRoot.output()).as("%s", lsRoot).contains("zookeeper").contains(root.substring(1));

        CliResult get = cli("get", x);
        assertThat(get.exitCode()).as("%s", get).isZero();
        assertThat(get.output().lines().toList()).contains("hello");

        var stat = zk.exists(x, false);
        CliResult st = cli("stat", x);
        assertThat(st.exitCode()).as("%s", st).isZero();
        assertThat(st.output()).as("%s", st)
                .contains("cZxid = 0x" + Long.toHexString(stat.getCzxid()))
                .contains("mZxid = 0x" + Long.toHexString(stat.getMzxid()))
                .contains("pZxid = 0x" + Long.toHexString(stat.getPzxid()))
                .contains("cversion = 1")
                .contains("dataVersion = 0")
                .contains("aclVersion = 0")
                .contains("ephemeralOwner = 0x0")
                .contains("dataLength = 5")
                .contains("numChildren = 1");

        CliResult deleteall = cli("deleteall", x);
        assertThat(deleteall.exitCode()).as("%s", deleteall).isZero();
        assertThat(zk.exists(x, false)).isNull();
        assertThat(zk.getChildren(root, false)).isEmpty();
    }

    @Test
    void zkCliSequentialCreateSetGetAclAndErrors() throws Exception {
        CliResult seq = cli("create", "-s", p("seq-"), "v");
        assertThat(seq.output()).as("%s", seq).contains("Created " + p("seq-0000000000"));

        CliResult set = cli("set", p("seq-0000000000"), "w");
        assertThat(set.exitCode()).as("%s", set).isZero();
        assertThat(str(zk.getData(p("seq-0000000000"), false, null))).isEqualTo("w");

        CliResult acl = cli("getAcl", p("seq-0000000000"));
        assertThat(acl.output()).as("%s", acl).contains("'world,'anyone").contains(": cdrwa");

        CliResult count = cli("getAllChildrenNumber", root);
        assertThat(count.output().lines().map(String::trim).toList()).contains("1");

        CliResult exists = cli("create", p("seq-0000000000"), "again");
        assertThat(exists.output()).as("%s", exists).contains("Node already exists: " + p("seq-0000000000"));

        CliResult missing = cli("get", p("missing"));
        assertThat(missing.output()).as("%s", missing).contains("Node does not exist: " + p("missing"));

        CliResult container = cli("create", "-c", p("cont"));
        assertThat(container.output()).as("%s", container).contains("Created " + p("cont"));
        CliResult ttl = cli("create", "-t", "3600000", p("ttl"), "t");
        assertThat(ttl.output()).as("%s", ttl).contains("Created " + p("ttl"));
        assertThat(zk.exists(p("ttl"), false)).isNotNull();
    }
}
