package io.ensemble.server;

import io.ensemble.auth.DigestAuth;
import io.ensemble.auth.IpMatcher;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Err;
import io.ensemble.wire.Id;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * ZooKeeper's fixupACL for create and setACL: drop duplicates, keep world:anyone, expand the {@code auth} scheme
 * into the caller's authenticated ids, and refuse anything a provider would not accept.
 */
final class AclFixup {
    private AclFixup() {
    }

    static List<Acl> fixup(List<Acl> requested, Collection<Id> ids) throws PrepException {
        if (requested == null || requested.isEmpty()) {
            throw new PrepException(Err.INVALID_ACL);
        }
        List<Acl> out = new ArrayList<>();
        for (Acl a : new LinkedHashSet<>(requested)) {
            Id id = a.id();
            if (id == null || id.scheme() == null) {
                throw new PrepException(Err.INVALID_ACL);
            }
            if (id.scheme().equals("world") && "anyone".equals(id.id())) {
                out.add(a);
            } else if (id.scheme().equals("auth")) {
                boolean any = false;
                for (Id have : ids) {
                    if (isAuthenticatedScheme(have.scheme())) {
                        out.add(new Acl(a.perms(), have));
                        any = true;
                    }
                }
                if (!any) {
                    throw new PrepException(Err.INVALID_ACL);
                }
            } else if (!isValid(id)) {
                throw new PrepException(Err.INVALID_ACL);
            } else {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }

    /** Providers whose ids prove who the caller is; ip only says where it connects from. */
    private static boolean isAuthenticatedScheme(String scheme) {
        return scheme.equals("digest");
    }

    private static boolean isValid(Id id) {
        return switch (id.scheme()) {
            case "digest" -> DigestAuth.isValid(id.id());
            case "ip" -> IpMatcher.isValid(id.id());
            default -> false;
        };
    }
}
