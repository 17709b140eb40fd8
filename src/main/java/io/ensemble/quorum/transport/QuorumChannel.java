package io.ensemble.quorum.transport;

import io.ensemble.quorum.election.tcp.Connection;
import io.ensemble.quorum.election.tcp.Frames;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Snap;
import io.ensemble.quorum.zab.ZabMessageCodec;
import io.ensemble.wire.MalformedRecordException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One quorum-port connection, either side: a bounded send queue drained by a writer virtual thread, and a reader
 * virtual thread that decodes frames for a {@link Receiver}. It ends once, for one reason, and never reconnects: ZAB
 * restarts from election or from a new FOLLOWERINFO, never mid-stream.
 *
 * <p>Overflow policy: a full queue ends the connection. Dropping a PROPOSAL or COMMIT would silently break the
 * learner's history, and blocking would stall the leader on its slowest learner; a disconnected learner instead
 * comes back through election and resyncs, as in ZooKeeper when a learner falls behind syncLimit.
 */
final class QuorumChannel {

    private static final Logger LOG = Logger.getLogger(QuorumChannel.class.getName());
    private static final int MAX_BATCH = 256;
    /** The reader's frame array: a 1 KiB value's PROPOSAL fits, with room. */
    private static final int REUSED_FRAME_BYTES = 16 * 1024;

    /** Called on the reader thread, in arrival order. */
    interface Receiver {
        void onMessage(ZabMessage message) throws IOException;

        /** The snapshot after a SNAP frame; {@code body} ends at the snapshot's end and is valid during the call. */
        void onSnapshot(Snap snap, InputStream body) throws IOException;

        /** Called once, on whichever thread ended the connection, with no lock of this channel held. */
        void onEnded(String reason);
    }

    private sealed interface Outgoing {
    }

    private record Frame(byte[] body) implements Outgoing {
    }

    private record SnapshotStream(byte[] snapFrame, SnapshotWriter writer) implements Outgoing {
    }

    private final String name;
    private final QuorumLinkOptions options;
    private final Receiver receiver;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private Connection connection;
    private String endReason;
    /** The writer holds an item taken from the queue that is not yet on the socket. */
    private boolean writing;

    /** Starts the writer; messages queue until {@link #attach} supplies the connection. */
    QuorumChannel(String name, QuorumLinkOptions options, Receiver receiver) {
        this.name = name;
        this.options = options;
        this.receiver = receiver;
        Thread.ofVirtual().name("quorum-send-" + name).start(this::writeLoop);
    }

    /** Starts reading and writing {@code conn}, which is past its handshake. */
    void attach(Connection conn) {
        lock.lock();
        try {
            if (endReason != null) {
                conn.close();
                return;
            }
            connection = conn;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("quorum-recv-" + name).start(() -> readLoop(conn));
    }

    /**
     * Queues {@code message}; false if the channel has ended (or ends now because the queue is full, or because the
     * message is too large to send: a skipped PROPOSAL would let the peer's next ACK, cumulative, vouch for it).
     */
    boolean send(ZabMessage message) {
        return send(message, m -> encode(m, options.maxFrameBytes()));
    }

    /** As {@link #send(ZabMessage)}, with the frame body from {@code encoder} (which may reuse a shared encoding). */
    boolean send(ZabMessage message, Function<ZabMessage, byte[]> encoder) {
        if (message instanceof Snap) {
            throw new IllegalArgumentException("SNAP goes with its snapshot: use sendSnapshot");
        }
        byte[] body;
        try {
            body = encoder.apply(message);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "quorum: cannot send to " + name + ": " + e.getMessage() + "; disconnecting it");
            end("message too large: " + e.getMessage());
            return false;
        }
        return enqueue(new Frame(body));
    }

    boolean sendSnapshot(Snap snap, SnapshotWriter writer) {
        return enqueue(new SnapshotStream(encode(snap, options.maxFrameBytes()), writer));
    }

    boolean isConnected() {
        lock.lock();
        try {
            return connection != null && endReason == null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until everything queued so far is written to the socket (or the channel ends, or {@code millis} pass).
     * Only crash tests need it: a crash point right after a send must not halt before the bytes leave.
     */
    boolean awaitFlushed(long millis) {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (endReason == null && (writing || !queue.isEmpty()) && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return !writing && queue.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    boolean isEnded() {
        lock.lock();
        try {
            return endReason != null;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket and drops what is queued; the first call reports {@code reason}. */
    void end(String reason) {
        Connection conn;
        lock.lock();
        try {
            if (endReason != null) {
                return;
            }
            endReason = reason;
            queue.clear();
            conn = connection;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (conn != null) {
            conn.close(); // unblocks a writer stuck on a peer that stopped reading
        }
        LOG.fine(() -> "quorum: connection " + name + " ended: " + reason);
        receiver.onEnded(reason);
    }

    /** The frame body of {@code message}; IllegalArgumentException if it exceeds {@code maxFrameBytes}. */
    static byte[] encode(ZabMessage message, int maxFrameBytes) {
        byte[] body = ZabMessageCodec.encode(message);
        if (body.length > maxFrameBytes) {
            throw new IllegalArgumentException(message.getClass().getSimpleName() + " of " + body.length
                    + " bytes exceeds the frame limit " + maxFrameBytes);
        }
        return body;
    }

    private boolean enqueue(Outgoing item) {
        boolean overflow;
        lock.lock();
        try {
            if (endReason != null) {
                return false;
            }
            overflow = queue.size() >= options.sendQueueCapacity();
            if (!overflow) {
                queue.addLast(item);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (overflow) {
            LOG.warning(() -> "quorum: " + name + " is not keeping up (" + options.sendQueueCapacity()
                    + " messages queued); disconnecting it");
            end("send queue full");
        }
        return !overflow;
    }

    private void writeLoop() {
        List<Outgoing> batch = new ArrayList<>();
        while (true) {
            Connection conn;
            lock.lock();
            try {
                if (writing) {
                    writing = false; // the previous batch is on the socket: wake anyone in awaitFlushed
                    changed.signalAll();
                }
                while (endReason == null && (connection == null || queue.isEmpty())) {
                    changed.awaitUninterruptibly();
                }
                if (endReason != null) {
                    return;
                }
                conn = connection;
                takeBatch(batch);
                writing = true;
            } finally {
                lock.unlock();
            }
            try {
                write(conn, batch);
                batch.clear(); // an idle channel keeps no message bodies alive
            } catch (IOException | RuntimeException e) {
                end("send failed: " + e);
                return;
            }
        }
    }

    /**
     * Moves what is queued into {@code batch}, up to {@link #MAX_BATCH} frames: they go out with one flush, so the
     * connection's buffer leaves in large writes instead of a system call and, with Nagle off, a packet per
     * message (a busy leader's PROPOSAL and COMMIT stream, a follower's ACKs). A snapshot stream goes alone.
     */
    private void takeBatch(List<Outgoing> batch) {
        batch.clear();
        batch.add(queue.pollFirst());
        if (batch.getFirst() instanceof SnapshotStream) {
            return;
        }
        while (batch.size() < MAX_BATCH && queue.peekFirst() instanceof Frame next) {
            batch.add(next);
            queue.pollFirst();
        }
    }

    private void write(Connection conn, List<Outgoing> batch) throws IOException {
        for (Outgoing item : batch) {
            switch (item) {
                case Frame f -> Frames.appendFrame(conn.out, f.body());
                case SnapshotStream s -> {
                    Frames.appendFrame(conn.out, s.snapFrame());
                    SnapshotChunks.Out chunks = new SnapshotChunks.Out(conn.out, options.maxFrameBytes());
                    s.writer().writeTo(chunks);
                    chunks.finish();
                }
            }
        }
        conn.out.flush();
    }

    private void readLoop(Connection conn) {
        String reason;
        byte[] frame = new byte[REUSED_FRAME_BYTES];
        try {
            while (true) {
                // One array for every ordinary frame: a follower reads a PROPOSAL and a COMMIT per write, and
                // the decoded message copies what it keeps. A larger frame gets an array of its own, not kept.
                int length = Frames.readLength(conn.in, options.maxFrameBytes());
                byte[] bytes = length <= frame.length ? frame : new byte[length];
                conn.in.readFully(bytes, 0, length);
                ZabMessage message = ZabMessageCodec.decode(bytes, length);
                if (message instanceof Snap snap) {
                    SnapshotChunks.In body = new SnapshotChunks.In(conn.in, options.maxFrameBytes());
                    receiver.onSnapshot(snap, body);
                    body.skipToEnd();
                } else {
                    receiver.onMessage(message);
                }
            }
        } catch (Frames.BadFrameException | MalformedRecordException e) {
            LOG.warning(() -> "quorum: bad frame from " + name + " (" + conn + "), closing: " + e.getMessage());
            reason = "bad frame: " + e.getMessage();
        } catch (IOException e) {
            reason = "connection lost: " + e;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "quorum: handling a message from " + name + " failed, closing", e);
            reason = "handler failed: " + e;
        }
        end(reason);
    }
}
