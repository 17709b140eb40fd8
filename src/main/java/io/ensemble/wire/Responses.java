package io.ensemble.wire;

import java.util.List;

/**
 * Response records of zookeeper.jute. Each captures immutable values at processing time and is encoded later by
 * the connection's writer, off the processing thread.
 */
public final class Responses {
    private Responses() {
    }

    /** A reply body. */
    public interface Body {
        void write(JuteWriter w);
    }

    /** exists, setData, setACL. */
    public record StatBody(Stat stat) implements Body {
        public void write(JuteWriter w) {
            w.writeStat(stat);
        }
    }

    public record DataBody(byte[] data, Stat stat) implements Body {
        public void write(JuteWriter w) {
            w.writeBuffer(data).writeStat(stat);
        }
    }

    /** create, sync. */
    public record PathBody(String path) implements Body {
        public void write(JuteWriter w) {
            w.writeString(path);
        }
    }

    /** create2, createContainer, createTTL. */
    public record PathStatBody(String path, Stat stat) implements Body {
        public void write(JuteWriter w) {
            w.writeString(path).writeStat(stat);
        }
    }

    /** getChildren, getEphemerals. */
    public record StringsBody(List<String> strings) implements Body {
        public void write(JuteWriter w) {
            w.writeStringList(strings);
        }
    }

    public record ChildrenStatBody(List<String> children, Stat stat) implements Body {
        public void write(JuteWriter w) {
            w.writeStringList(children).writeStat(stat);
        }
    }

    public record AclBody(List<Acl> acl, Stat stat) implements Body {
        public void write(JuteWriter w) {
            w.writeAclList(acl).writeStat(stat);
        }
    }

    /** getAllChildrenNumber, and addWatch's ErrorResponse(0). */
    public record IntBody(int value) implements Body {
        public void write(JuteWriter w) {
            w.writeInt(value);
        }
    }

    public record BufferBody(byte[] buffer) implements Body {
        public void write(JuteWriter w) {
            w.writeBuffer(buffer);
        }
    }

    public record WhoAmIBody(List<Id> clientInfo) implements Body {
        public void write(JuteWriter w) {
            w.writeInt(clientInfo.size());
            for (Id id : clientInfo) {
                w.writeString(id.scheme()).writeString(id.id());
            }
        }
    }

    /** One entry of a MultiResponse: its header type, error code and body (null for none). */
    public record OpResult(int type, int err, Body body) {
    }

    public record MultiBody(List<OpResult> results) implements Body {
        public void write(JuteWriter w) {
            for (OpResult r : results) {
                w.writeInt(r.type()).writeBool(false).writeInt(r.err());
                if (r.type() == OpCode.ERROR) {
                    w.writeInt(r.err());
                } else if (r.body() != null) {
                    r.body().write(w);
                }
            }
            w.writeInt(-1).writeBool(true).writeInt(-1);
        }
    }

    /** The body of a watch notification (xid -1). State is always SyncConnected (3). */
    public record WatcherEventBody(int type, String path) implements Body {
        public void write(JuteWriter w) {
            w.writeInt(type).writeInt(3).writeString(path);
        }
    }
}
