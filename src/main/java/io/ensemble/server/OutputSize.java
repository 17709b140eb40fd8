package io.ensemble.server;

import io.ensemble.wire.Acl;
import io.ensemble.wire.Responses;

import java.util.List;

/**
 * How many bytes a queued reply or event will take on the wire, roughly: exact for data, paths and names, a flat
 * allowance for headers and stats. Enough to bound what a connection may hold unsent without encoding it twice.
 */
final class OutputSize {
    private static final int HEADER = 20; // frame length, xid, zxid, err
    private static final int STAT = 68;
    private static final int OTHER = 64;

    private OutputSize() {
    }

    static long of(Object message) {
        return switch (message) {
            case Reply r -> HEADER + (r.err() == 0 ? body(r.body()) : 0);
            case byte[] raw -> raw.length;
            default -> OTHER; // a ConnectResponse
        };
    }

    private static long body(Responses.Body b) {
        return switch (b) {
            case null -> 0;
            case Responses.DataBody d -> 4 + (d.data() == null ? 0 : d.data().length) + STAT;
            case Responses.StringsBody s -> strings(s.strings());
            case Responses.ChildrenStatBody c -> strings(c.children()) + STAT;
            case Responses.WatcherEventBody e -> 12 + e.path().length();
            case Responses.PathBody p -> 4 + p.path().length();
            case Responses.PathStatBody p -> 4 + p.path().length() + STAT;
            case Responses.BufferBody buf -> 4 + (buf.buffer() == null ? 0 : buf.buffer().length);
            case Responses.AclBody a -> acls(a.acl()) + STAT;
            case Responses.MultiBody m -> m.results().stream().mapToLong(r -> 9 + body(r.body())).sum() + 9;
            default -> OTHER;
        };
    }

    private static long strings(List<String> strings) {
        long n = 4;
        for (String s : strings) {
            n += 4 + s.length();
        }
        return n;
    }

    private static long acls(List<Acl> acls) {
        return 4 + 48L * acls.size();
    }
}
