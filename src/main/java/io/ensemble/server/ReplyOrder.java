package io.ensemble.server;

import io.ensemble.wire.OpCode;
import io.ensemble.wire.Responses;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per session, the requests of a replicated server whose answers are still to come, in arrival order. A write
 * waits for its commit; a read that arrives behind a waiting write waits with it, so a client never reads a state
 * older than its own last write and gets its replies in request order (ZooKeeper's CommitProcessor rule).
 * Processor thread only.
 */
final class ReplyOrder {

    /** One request in a session's line: a write or sync waiting to complete, or a read waiting its turn. */
    static final class Entry {
        final Work.Request request;
        final boolean read;
        private boolean done;
        long zxid;
        int err;
        Responses.Body body;
        boolean closeAfter;

        Entry(Work.Request request, boolean read) {
            this.request = request;
            this.read = read;
        }

        boolean done() {
            return done;
        }

        /** The answer, sent once every request before it in the session's line has been answered. */
        void complete(long zxid, int err, Responses.Body body, boolean thenClose) {
            this.done = true;
            this.zxid = zxid;
            this.err = err;
            this.body = body;
            this.closeAfter = thenClose;
        }
    }

    private final Map<Long, ArrayDeque<Entry>> lines = new HashMap<>();

    boolean waiting(long sessionId) {
        ArrayDeque<Entry> line = lines.get(sessionId);
        return line != null && !line.isEmpty();
    }

    void add(long sessionId, Entry e) {
        lines.computeIfAbsent(sessionId, id -> new ArrayDeque<>()).addLast(e);
    }

    /** The session's oldest write still waiting, if it is the one with {@code cxid} and {@code type}. */
    Entry awaitingWrite(long sessionId, int cxid, int type) {
        ArrayDeque<Entry> line = lines.get(sessionId);
        if (line == null) {
            return null;
        }
        for (Entry e : line) {
            if (!e.read && !e.done() && !isSync(e)) {
                return e.request.xid() == cxid && e.request.type() == type ? e : null;
            }
        }
        return null;
    }

    /** The session's waiting sync with {@code cxid}. */
    Entry awaitingSync(long sessionId, int cxid) {
        ArrayDeque<Entry> line = lines.get(sessionId);
        if (line != null) {
            for (Entry e : line) {
                if (isSync(e) && !e.done() && e.request.xid() == cxid) {
                    return e;
                }
            }
        }
        return null;
    }

    /**
     * Hands the session's answered requests at the head of its line to {@code answered}, and the reads that were
     * waiting behind them to {@code runRead}, until a request that is still waiting.
     */
    void drain(long sessionId, Consumer<Entry> answered, Consumer<Entry> runRead) {
        ArrayDeque<Entry> line = lines.get(sessionId);
        while (line != null && !line.isEmpty() && (line.peekFirst().done() || line.peekFirst().read)) {
            Entry e = line.pollFirst();
            if (e.read) {
                runRead.accept(e);
            } else {
                answered.accept(e);
            }
        }
        if (line != null && line.isEmpty()) {
            lines.remove(sessionId);
        }
    }

    /** The connection is gone: nothing of its line will be answered. */
    void forget(long sessionId, ClientConnection conn) {
        ArrayDeque<Entry> line = lines.get(sessionId);
        if (line != null) {
            line.removeIf(e -> e.request.conn() == conn);
            if (line.isEmpty()) {
                lines.remove(sessionId);
            }
        }
    }

    void clear() {
        lines.clear();
    }

    private static boolean isSync(Entry e) {
        return e.request.type() == OpCode.SYNC;
    }
}
