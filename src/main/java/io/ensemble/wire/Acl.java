package io.ensemble.wire;

import java.util.List;

/** One ACL entry: permission bits granted to an identity. */
public record Acl(int perms, Id id) {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CREATE = 4;
    public static final int DELETE = 8;
    public static final int ADMIN = 16;
    public static final int ALL = 31;

    public static final List<Acl> OPEN = List.of(new Acl(ALL, Id.ANYONE));
    public static final List<Acl> READ_ONLY = List.of(new Acl(READ, Id.ANYONE));
}
