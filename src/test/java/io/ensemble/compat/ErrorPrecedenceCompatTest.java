package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which error wins when several apply: protocol section 4.2 and 11.12. */
class ErrorPrecedenceCompatTest extends CompatTestBase {
    private static final List<ACL> READ_ONLY = ZooDefs.Ids.READ_ACL_UNSAFE;

    @Test
    void createWithMissingParentIsNoNodeBeforeNoAuth() throws Exception {
        zk.create(p("locked"), null, READ_ONLY, CreateMode.PERSISTENT);
        // the missing parent is checked before CREATE permission (which the grandparent denies anyway)
        assertKeeperError(Code.NONODE, () -> zk.create(p("locked/missing/child"), null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NOAUTH, () -> zk.create(p("locked/child"), null, OPEN, CreateMode.PERSISTENT));
    }

    @Test
    void createOfExistingNodeUnderParentWithoutCreatePermissionIsNoAuthNotNodeExists() throws Exception {
        zk.create(p("parent"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("parent/existing"), null, OPEN, CreateMode.PERSISTENT);
        zk.setACL(p("parent"), READ_ONLY, -1);
        assertKeeperError(Code.NOAUTH, () -> zk.create(p("parent/existing"), null, OPEN, CreateMode.PERSISTENT));
    }

    @Test
    void invalidAclIsReportedBeforeMissingParent() {
        List<ACL> bad = acls(new ACL(Perms.ALL, new Id("world", "nobody")));
        assertKeeperError(Code.INVALIDACL, () -> zk.create(p("missing/child"), null, bad, CreateMode.PERSISTENT));
        assertKeeperError(Code.INVALIDACL,
                () -> zk.create(p("missing/child"), null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
    }

    @Test
    void createUnderEphemeralIsNoChildrenForEphemeralsAfterNoNodeAndNoAuth() throws Exception {
        zk.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);
        assertKeeperError(Code.NOCHILDRENFOREPHEMERALS, () -> zk.create(p("eph/c"), null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NONODE, () -> zk.create(p("eph/c/d"), null, OPEN, CreateMode.PERSISTENT));

        zk.create(p("eph-ro"), null, READ_ONLY, CreateMode.EPHEMERAL);
        assertKeeperError(Code.NOAUTH, () -> zk.create(p("eph-ro/c"), null, OPEN, CreateMode.PERSISTENT));
    }

    @Test
    void nodeExistsIsCheckedBeforeTheEphemeralParent() throws Exception {
        // "/" can't be created (exists), and an existing node under a persistent parent: NODEEXISTS
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.NODEEXISTS, () -> zk.create(p("n"), null, OPEN, CreateMode.EPHEMERAL));
        // an ephemeral node itself re-created: NODEEXISTS (its parent is persistent)
        zk.create(p("e"), null, OPEN, CreateMode.EPHEMERAL);
        assertKeeperError(Code.NODEEXISTS, () -> zk.create(p("e"), null, OPEN, CreateMode.EPHEMERAL));
    }

    @Test
    void deleteChecksParentDeletePermissionBeforeNodeExistence() throws Exception {
        zk.create(p("nodelete"), null, acls(new ACL(Perms.READ | Perms.CREATE, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertKeeperError(Code.NOAUTH, () -> zk.delete(p("nodelete/missing"), -1));
        assertKeeperError(Code.NONODE, () -> zk.delete(p("missing/child"), -1));
        assertKeeperError(Code.NONODE, () -> zk.delete(p("missing"), -1));
    }

    @Test
    void deleteReportsBadVersionBeforeNotEmpty() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("n/child"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.BADVERSION, () -> zk.delete(p("n"), 5));
        assertKeeperError(Code.NOTEMPTY, () -> zk.delete(p("n"), 0));
        assertKeeperError(Code.NOTEMPTY, () -> zk.delete(p("n"), -1));
        assertThat(zk.exists(p("n/child"), false)).isNotNull();
    }

    @Test
    void deletingSpecialNodesIsBadArguments() {
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper", -1));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/quota", -1));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/config", -1));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/", -1));
    }

    @Test
    void setDataChecksNoNodeThenNoAuthThenBadVersion() throws Exception {
        zk.create(p("ro"), null, READ_ONLY, CreateMode.PERSISTENT);
        assertKeeperError(Code.NONODE, () -> zk.setData(p("missing"), null, 99));
        assertKeeperError(Code.NOAUTH, () -> zk.setData(p("ro"), null, 99));
        zk.create(p("rw"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.BADVERSION, () -> zk.setData(p("rw"), null, 99));
    }

    @Test
    void setAclChecksInvalidAclThenNoNodeThenNoAuthThenBadVersion() throws Exception {
        List<ACL> bad = acls(new ACL(Perms.ALL, new Id("world", "nobody")));
        assertKeeperError(Code.INVALIDACL, () -> zk.setACL(p("missing"), bad, 99));
        assertKeeperError(Code.NONODE, () -> zk.setACL(p("missing"), OPEN, 99));
        zk.create(p("noadmin"), null, acls(new ACL(Perms.ALL & ~Perms.ADMIN, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertKeeperError(Code.NOAUTH, () -> zk.setACL(p("noadmin"), OPEN, 99));
        assertKeeperError(Code.BADVERSION, () -> zk.setACL(root, OPEN, 99));
    }

    @Test
    void checkOpChecksNoNodeThenNoAuthThenBadVersion() throws Exception {
        zk.create(p("noread"), null, acls(new ACL(Perms.WRITE, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertKeeperError(Code.NONODE, () -> zk.multi(List.of(Op.check(p("missing"), 99))));
        assertKeeperError(Code.NOAUTH, () -> zk.multi(List.of(Op.check(p("noread"), 99))));
        assertKeeperError(Code.BADVERSION, () -> zk.multi(List.of(Op.check(root, 99))));
    }

    @Test
    void readsReportNoNodeBeforeNoAuth() throws Exception {
        zk.create(p("noread"), null, acls(new ACL(Perms.WRITE, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                CreateMode.PERSISTENT);
        assertKeeperError(Code.NONODE, () -> zk.getData(p("noread/missing"), false, null));
        assertKeeperError(Code.NONODE, () -> zk.getChildren(p("noread/missing"), false));
        assertKeeperError(Code.NONODE, () -> zk.getACL(p("noread/missing"), new Stat()));
        assertKeeperError(Code.NONODE, () -> zk.getAllChildrenNumber(p("noread/missing")));
        assertKeeperError(Code.NOAUTH, () -> zk.getData(p("noread"), false, null));
        // exists checks READ only when the node exists
        assertThat(zk.exists(p("noread/missing"), false)).isNull();
        assertKeeperError(Code.NOAUTH, () -> zk.exists(p("noread"), false));
    }

    @Test
    void multiReportsTheFirstFailingOpsOwnPrecedence() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("n/child"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.BADVERSION, () -> zk.multi(List.of(Op.delete(p("n"), 3))));
        assertKeeperError(Code.NOTEMPTY, () -> zk.multi(List.of(Op.delete(p("n"), 0))));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.multi(List.of(Op.delete("/zookeeper", -1))));
        // the child delete earlier in the same multi makes the parent delete legal
        zk.multi(List.of(Op.delete(p("n/child"), -1), Op.delete(p("n"), 0)));
        assertThat(zk.exists(p("n"), false)).isNull();
    }
}
