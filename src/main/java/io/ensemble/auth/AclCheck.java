package io.ensemble.auth;

import io.ensemble.wire.Acl;
import io.ensemble.wire.Id;

import java.util.Collection;
import java.util.List;

/** ZooKeeper's checkACL: does any of a connection's identities hold a permission on a node's ACL. */
public final class AclCheck {
    private AclCheck() {
    }

    public static boolean allowed(List<Acl> acl, int perm, Collection<Id> ids) {
        if (acl == null || acl.isEmpty()) {
            return true;
        }
        for (Id id : ids) {
            if ("super".equals(id.scheme())) {
                return true;
            }
        }
        for (Acl entry : acl) {
            if ((entry.perms() & perm) == 0) {
                continue;
            }
            Id want = entry.id();
            if ("world".equals(want.scheme()) && "anyone".equals(want.id())) {
                return true;
            }
            for (Id have : ids) {
                if (have.scheme().equals(want.scheme()) && matches(have, want)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(Id have, Id want) {
        return switch (want.scheme()) {
            case "ip" -> IpMatcher.matches(have.id(), want.id());
            default -> have.id().equals(want.id());
        };
    }
}
