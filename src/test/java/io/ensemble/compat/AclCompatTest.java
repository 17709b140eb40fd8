package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** ACL checks, auth schemes, super digest, getACL masking, whoAmI: protocol section 7. */
class AclCompatTest extends CompatTestBase {
    static final String USER_DIGEST = "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=";

    private static String digest(String userPassword) throws Exception {
        return DigestAuthenticationProvider.generateDigest(userPassword);
    }

    private static List<ACL> digestAcl(int perms, String userPassword) throws Exception {
        return acls(new ACL(perms, new Id("digest", digest(userPassword))));
    }

    private ZooKeeper authed(String userPassword) throws Exception {
        ZooKeeper c = server.connect();
        c.addAuthInfo("digest", bytes(userPassword));
        return c;
    }

    private static List<String> whoAmI(ZooKeeper c) throws Exception {
        return c.whoAmI().stream().map((ClientInfo i) -> i.getAuthScheme() + ":" + i.getUser()).toList();
    }

    @Test
    void digestOfKnownPasswordMatchesTheProtocolDocument() throws Exception {
        assertThat(digest("user:password")).isEqualTo(USER_DIGEST);
        assertThat(digest("super:test")).isEqualTo(TestServer.SUPER_DIGEST);
    }

    @Test
    void everyOperationIsDeniedWithNoAuthWithoutPermission() throws Exception {
        zk.create(p("secret"), bytes("s"), OPEN, CreateMode.PERSISTENT);
        zk.create(p("secret/child"), bytes("c"), OPEN, CreateMode.PERSISTENT);
        zk.setACL(p("secret"), digestAcl(Perms.ALL, "alice:secret"), -1);

        ZooKeeper anon = server.connect();
        String s = p("secret");
        assertKeeperError(Code.NOAUTH, () -> anon.getData(s, false, null));
        assertKeeperError(Code.NOAUTH, () -> anon.setData(s, bytes("x"), -1));
        assertKeeperError(Code.NOAUTH, () -> anon.getChildren(s, false));
        assertKeeperError(Code.NOAUTH, () -> anon.getChildren(s, false, new Stat()));
        assertKeeperError(Code.NOAUTH, () -> anon.getACL(s, new Stat()));
        assertKeeperError(Code.NOAUTH, () -> anon.setACL(s, OPEN, -1));
        assertKeeperError(Code.NOAUTH, () -> anon.exists(s, false));
        assertKeeperError(Code.NOAUTH, () -> anon.getAllChildrenNumber(s));
        assertKeeperError(Code.NOAUTH, () -> anon.create(s + "/new", null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NOAUTH, () -> anon.delete(s + "/child", -1));
        assertKeeperError(Code.NOAUTH, () -> anon.multi(List.of(Op.check(s, -1))));
        assertKeeperError(Code.NOAUTH, () -> anon.multi(List.of(Op.setData(s, null, -1))));
        // need no permission
        anon.sync(s);
        assertThat(anon.getEphemerals(s)).isEmpty();

        ZooKeeper alice = authed("alice:secret");
        assertThat(str(alice.getData(s, false, null))).isEqualTo("s");
        alice.setData(s, bytes("t"), -1);
        alice.create(s + "/new", null, OPEN, CreateMode.PERSISTENT);
        assertThat(alice.getChildren(s, false)).containsExactlyInAnyOrder("child", "new");
        assertThat(alice.getAllChildrenNumber(s)).isEqualTo(2);
        alice.delete(s + "/child", -1);
        alice.multi(List.of(Op.check(s, 1)));
        alice.setACL(s, OPEN, -1);
        assertThat(anon.getData(s, false, null)).isNotNull();
    }

    @Test
    void eachPermissionBitGatesOnlyItsOperations() throws Exception {
        zk.create(p("r"), bytes("r"), acls(new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)), CreateMode.PERSISTENT);
        assertThat(zk.getData(p("r"), false, null)).isNotNull();
        assertKeeperError(Code.NOAUTH, () -> zk.setData(p("r"), null, -1));
        assertKeeperError(Code.NOAUTH, () -> zk.create(p("r/c"), null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NOAUTH, () -> zk.setACL(p("r"), OPEN, -1));

        zk.create(p("w"), bytes("w"), acls(new ACL(Perms.WRITE, ZooDefs.Ids.ANYONE_ID_UNSAFE)), CreateMode.PERSISTENT);
        zk.setData(p("w"), bytes("w2"), -1);
        assertKeeperError(Code.NOAUTH, () -> zk.getData(p("w"), false, null));
        assertKeeperError(Code.NOAUTH, () -> zk.getACL(p("w"), new Stat()));

        zk.create(p("c"), null, acls(new ACL(Perms.CREATE, ZooDefs.Ids.ANYONE_ID_UNSAFE)), CreateMode.PERSISTENT);
        zk.create(p("c/child"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.NOAUTH, () -> zk.delete(p("c/child"), -1));

        zk.create(p("d"), null, acls(new ACL(Perms.DELETE | Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertKeeperError(Code.NOAUTH, () -> zk.create(p("d/child"), null, OPEN, CreateMode.PERSISTENT));

        zk.create(p("a"), null, acls(new ACL(Perms.ADMIN, ZooDefs.Ids.ANYONE_ID_UNSAFE)), CreateMode.PERSISTENT);
        // getACL needs READ or ADMIN
        assertThat(zk.getACL(p("a"), new Stat())).containsExactly(new ACL(Perms.ADMIN, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        zk.setACL(p("a"), OPEN, -1);
        assertThat(zk.getData(p("a"), false, null)).isNull();
    }

    @Test
    void deletingANodeNeedsDeleteOnTheParentNotOnTheNode() throws Exception {
        zk.create(p("parent"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("parent/locked"), null, acls(new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        zk.delete(p("parent/locked"), -1);
        assertThat(zk.exists(p("parent/locked"), false)).isNull();
    }

    @Test
    void authSchemeWithoutAuthenticatedIdentityIsInvalidAcl() {
        assertKeeperError(Code.INVALIDACL,
                () -> zk.create(p("n"), null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.setACL(root, ZooDefs.Ids.CREATOR_ALL_ACL, -1));
    }

    @Test
    void authSchemeExpandsToEveryDigestIdentityOfTheConnection() throws Exception {
        ZooKeeper c = authed("user:password");
        c.create(p("mine"), null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertThat(c.getACL(p("mine"), new Stat())).containsExactly(new ACL(Perms.ALL, new Id("digest", USER_DIGEST)));

        c.addAuthInfo("digest", bytes("second:pw"));
        c.create(p("both"), null, acls(new ACL(Perms.READ | Perms.ADMIN, new Id("auth", ""))), CreateMode.PERSISTENT);
        assertThat(c.getACL(p("both"), new Stat())).containsExactlyInAnyOrder(
                new ACL(Perms.READ | Perms.ADMIN, new Id("digest", USER_DIGEST)),
                new ACL(Perms.READ | Perms.ADMIN, new Id("digest", digest("second:pw"))));

        assertKeeperError(Code.NOAUTH, () -> zk.getData(p("mine"), false, null));
        ZooKeeper sameUser = authed("user:password");
        assertThat(sameUser.getData(p("mine"), false, null)).isNull();
    }

    @Test
    void invalidAclsAreRejected() {
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("a"), null,
                acls(new ACL(Perms.ALL, new Id("world", "bob"))), CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("b"), null,
                acls(new ACL(Perms.ALL, new Id("nosuchscheme", "x"))), CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("c"), null,
                acls(new ACL(Perms.ALL, new Id("digest", "no-colon"))), CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("d"), null,
                acls(new ACL(Perms.ALL, new Id("ip", "not.an.ip"))), CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("e"), null,
                acls(new ACL(Perms.ALL, new Id("ip", "127.0.0.1/33"))), CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL, () -> zk.setACL(root,
                acls(new ACL(Perms.ALL, new Id("world", "someone"))), -1));
    }

    @Test
    void duplicateAclEntriesAreStoredOnce() throws Exception {
        ACL read = new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE);
        zk.create(p("n"), null, acls(read, read, new ACL(Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertThat(zk.getACL(p("n"), new Stat()))
                .containsExactly(read, new ACL(Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    }

    @Test
    void ipSchemeMatchesTheClientAddress() throws Exception {
        zk.create(p("local"), bytes("l"), acls(new ACL(Perms.ALL, new Id("ip", "127.0.0.1"))), CreateMode.PERSISTENT);
        zk.create(p("subnet"), bytes("s"), acls(new ACL(Perms.READ, new Id("ip", "127.0.0.0/8"))),
                CreateMode.PERSISTENT);
        zk.create(p("remote"), bytes("r"), acls(new ACL(Perms.ALL, new Id("ip", "10.1.2.3"))), CreateMode.PERSISTENT);
        zk.create(p("remote-net"), bytes("r"), acls(new ACL(Perms.ALL, new Id("ip", "10.0.0.0/8"))),
                CreateMode.PERSISTENT);

        assertThat(str(zk.getData(p("local"), false, null))).isEqualTo("l");
        zk.setData(p("local"), bytes("l2"), -1);
        assertThat(str(zk.getData(p("subnet"), false, null))).isEqualTo("s");
        assertKeeperError(Code.NOAUTH, () -> zk.getData(p("remote"), false, null));
        assertKeeperError(Code.NOAUTH, () -> zk.getData(p("remote-net"), false, null));
        // getACL shows ip ids unmasked
        assertThat(zk.getACL(p("local"), new Stat())).containsExactly(new ACL(Perms.ALL, new Id("ip", "127.0.0.1")));
    }

    @Test
    void worldAnyoneOnlyGrantsItsBits() throws Exception {
        zk.create(p("n"), bytes("v"), ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper other = authed("user:password");
        assertThat(str(other.getData(p("n"), false, null))).isEqualTo("v");
        assertKeeperError(Code.NOAUTH, () -> other.setData(p("n"), null, -1));
        assertThat(zk.getACL(p("n"), new Stat())).containsExactly(new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    }

    @Test
    void superDigestBypassesEveryAcl() throws Exception {
        zk.create(p("locked"), bytes("x"), OPEN, CreateMode.PERSISTENT);
        zk.create(p("locked/child"), null, OPEN, CreateMode.PERSISTENT);
        zk.setACL(p("locked"), digestAcl(Perms.READ, "alice:secret"), -1);
        zk.create(p("none"), bytes("n"), acls(new ACL(0, ZooDefs.Ids.ANYONE_ID_UNSAFE)), CreateMode.PERSISTENT);

        ZooKeeper admin = authed("super:test");
        assertThat(str(admin.getData(p("locked"), false, null))).isEqualTo("x");
        admin.setData(p("locked"), bytes("y"), -1);
        admin.create(p("locked/new"), null, OPEN, CreateMode.PERSISTENT);
        admin.delete(p("locked/child"), -1);
        assertThat(admin.getACL(p("locked"), new Stat()))
                .as("super has ADMIN, so digest ids are not masked")
                .containsExactly(new ACL(Perms.READ, new Id("digest", digest("alice:secret"))));
        assertThat(str(admin.getData(p("none"), false, null))).isEqualTo("n");
        admin.setACL(p("none"), OPEN, -1);
        assertThat(str(zk.getData(p("none"), false, null))).isEqualTo("n");

        ZooKeeper wrong = authed("super:wrong");
        assertKeeperError(Code.NOAUTH, () -> wrong.getData(p("locked"), false, null));
    }

    @Test
    void getAclMasksDigestIdsForCallersWithoutAdmin() throws Exception {
        String aliceDigest = digest("alice:secret");
        zk.create(p("n"), null, acls(
                new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE),
                new ACL(Perms.ALL, new Id("digest", aliceDigest)),
                new ACL(Perms.READ, new Id("ip", "10.0.0.1"))), CreateMode.PERSISTENT);

        Stat stat = new Stat();
        assertThat(zk.getACL(p("n"), stat)).containsExactly(
                new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE),
                new ACL(Perms.ALL, new Id("digest", "alice:x")),
                new ACL(Perms.READ, new Id("ip", "10.0.0.1")));
        assertThat(stat).isEqualTo(zk.exists(p("n"), false));

        ZooKeeper alice = authed("alice:secret");
        assertThat(alice.getACL(p("n"), new Stat())).contains(new ACL(Perms.ALL, new Id("digest", aliceDigest)));
    }

    @Test
    void setAclChecksAversionAndLeavesDataStatAlone() throws Exception {
        Stat created = new Stat();
        zk.create(p("n"), bytes("d"), OPEN, CreateMode.PERSISTENT, created);
        zk.setData(p("n"), bytes("d2"), -1);

        Stat s1 = zk.setACL(p("n"), acls(new ACL(Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE)), 0);
        assertThat(s1.getAversion()).isEqualTo(1);
        assertThat(s1.getVersion()).as("data version untouched").isEqualTo(1);
        assertThat(s1.getCversion()).isZero();
        assertThat(s1.getMzxid()).as("setACL leaves mzxid").isEqualTo(zk.exists(p("n"), false).getMzxid());
        assertKeeperError(Code.BADVERSION, () -> zk.setACL(p("n"), OPEN, 0));
        assertKeeperError(Code.BADVERSION, () -> zk.setACL(p("n"), OPEN, 5));
        Stat s2 = zk.setACL(p("n"), OPEN, -1);
        assertThat(s2.getAversion()).isEqualTo(2);
        Stat s3 = zk.setACL(p("n"), OPEN, 2);
        assertThat(s3.getAversion()).isEqualTo(3);
        assertThat(s3.getMzxid()).isEqualTo(s1.getMzxid());
        assertThat(s3.getMtime()).isEqualTo(s1.getMtime());
        Stat st = new Stat();
        zk.getACL(p("n"), st);
        assertThat(st).isEqualTo(s3);
        assertKeeperError(Code.NONODE, () -> zk.setACL(p("missing"), OPEN, -1));
        assertKeeperError(Code.NONODE, () -> zk.getACL(p("missing"), new Stat()));
    }

    @Test
    void setAclFiresNoWatch() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.getData(p("n"), log, null);
        w.exists(p("n"), log);
        zk.setACL(p("n"), ZooDefs.Ids.READ_ACL_UNSAFE, -1);
        log.barrier(w);
        assertThat(log.describe()).isEmpty();
    }

    @Test
    void whoAmIListsTheConnectionsIdentities() throws Exception {
        ZooKeeper c = server.connect();
        assertThat(whoAmI(c)).containsExactly("ip:127.0.0.1");
        c.addAuthInfo("digest", bytes("user:password"));
        assertThat(whoAmI(c)).containsExactlyInAnyOrder("ip:127.0.0.1", "digest:user");
        ZooKeeper s = authed("super:test");
        assertThat(whoAmI(s)).containsExactlyInAnyOrder("ip:127.0.0.1", "digest:super", "super:");
    }

    @Test
    void digestAuthAcceptsAnyBytesAndIdentitiesAreNotDuplicated() throws Exception {
        ZooKeeper c = server.connect();
        c.addAuthInfo("digest", bytes("nocolon"));
        c.addAuthInfo("digest", bytes("user:password"));
        c.addAuthInfo("digest", bytes("user:password"));
        assertThat(whoAmI(c)).containsExactlyInAnyOrder("ip:127.0.0.1", "digest:nocolon", "digest:user");
        assertThat(c.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
    }

    @Test
    void authIdentitiesAreReplayedAfterReconnect() throws Exception {
        zk.create(p("n"), bytes("v"), digestAcl(Perms.ALL, "user:password"), CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper c = server.connect(log);
        c.addAuthInfo("digest", bytes("user:password"));
        assertThat(str(c.getData(p("n"), false, null))).isEqualTo("v");
        c.getTestable().closeSocket();
        await().atMost(TestServer.TIMEOUT).until(() -> log.all().stream()
                .filter(e -> e.getState() == KeeperState.SyncConnected).count() >= 2);
        assertThat(str(c.getData(p("n"), false, null))).isEqualTo("v");
        assertThat(whoAmI(c)).contains("digest:user");
    }

    @Test
    void unknownAuthSchemeFailsTheConnection() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper c = server.connect(log);
        c.addAuthInfo("nosuchscheme", bytes("whatever"));
        log.awaitState(KeeperState.AuthFailed);
        assertKeeperError(Code.AUTHFAILED, () -> c.getData(root, false, null));
    }

    @Test
    void watchEventsAreOnlyDeliveredToConnectionsThatMayReadTheNode() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper anon = server.connect();
        assertThat(anon.exists(p("secret"), log)).isNull();
        assertThat(anon.exists(p("public"), log)).isNull();
        zk.create(p("secret"), null, digestAcl(Perms.ALL, "alice:secret"), CreateMode.PERSISTENT);
        zk.create(p("public"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(org.apache.zookeeper.Watcher.Event.EventType.NodeCreated, p("public"));
        log.barrier(anon);
        assertThat(log.describe()).containsExactly("NodeCreated " + p("public"));
    }
}
