package io.ensemble.server;

import io.ensemble.tree.EventSink;
import io.ensemble.tree.Watcher;
import io.ensemble.wire.Responses;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one processing batch sends, in processing order. It is released only when the batch's transactions
 * are durable, so no client sees a change that a crash could still lose; watch events of a change are queued
 * before the reply of the write that caused it.
 */
final class Outbox implements EventSink {
    private record Delivery(ClientConnection conn, Object message, boolean thenClose) {
    }

    private List<Delivery> pending = new ArrayList<>();

    void send(ClientConnection conn, Object message) {
        pending.add(new Delivery(conn, message, false));
    }

    void sendAndClose(ClientConnection conn, Object message) {
        pending.add(new Delivery(conn, message, true));
    }

    @Override
    public void event(Watcher watcher, int type, String path, long zxid) {
        send((ClientConnection) watcher,
                new Reply(Reply.NOTIFICATION_XID, zxid, 0, new Responses.WatcherEventBody(type, path)));
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Closes the current batch: the returned action hands its messages to their connections. */
    Runnable detach() {
        List<Delivery> batch = pending;
        pending = new ArrayList<>();
        return () -> deliver(batch);
    }

    private static void deliver(List<Delivery> batch) {
        for (Delivery d : batch) {
            if (d.message != null) {
                d.conn.send(d.message);
            }
            if (d.thenClose) {
                d.conn.closeAfterFlush();
            }
        }
    }
}
