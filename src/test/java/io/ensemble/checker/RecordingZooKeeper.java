package io.ensemble.checker;

import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A ZooKeeper client that records every call into a {@link HistoryRecorder}: getData, setData (version -1 is a
 * {@link OpKind#WRITE}, anything else a {@link OpKind#CAS}), create, sequential create and delete, each with the zxid
 * of its reply's Stat where there is one (mzxid; czxid for creates; deletes return no Stat).
 *
 * <p>Every call goes through the asynchronous API. Invocation is recorded and the request queued under one lock, so
 * the recorded invocation order of a session is the order its requests went on the wire (what the FIFO check needs
 * when several threads share the client); replies are recorded on the client's event thread. Values are UTF-8 text.
 */
public final class RecordingZooKeeper {
    private static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);

    private final ZooKeeper zk;
    private final HistoryRecorder recorder;
    private final int process;
    private final Duration replyTimeout;
    private final Object sendOrder = new Object();

    public RecordingZooKeeper(ZooKeeper zk, HistoryRecorder recorder, int process) {
        this(zk, recorder, process, DEFAULT_REPLY_TIMEOUT);
    }

    /** {@code replyTimeout} bounds how long the blocking methods wait; the operation stays open in the history. */
    public RecordingZooKeeper(ZooKeeper zk, HistoryRecorder recorder, int process, Duration replyTimeout) {
        this.zk = zk;
        this.recorder = recorder;
        this.process = process;
        this.replyTimeout = replyTimeout;
    }

    public ZooKeeper zooKeeper() {
        return zk;
    }

    public Operation getData(String path) {
        return await(getDataAsync(path));
    }

    public Operation setData(String path, String value, int expectedVersion) {
        return await(setDataAsync(path, value, expectedVersion));
    }

    public Operation create(String path, String value) {
        return await(createAsync(path, value));
    }

    public Operation createSequential(String prefix, String value) {
        return await(createSequentialAsync(prefix, value));
    }

    public Operation delete(String path, int expectedVersion) {
        return await(deleteAsync(path, expectedVersion));
    }

    public CompletableFuture<Operation> getDataAsync(String path) {
        return call(OpKind.READ, path, null, -1, done -> zk.getData(path, false,
                (AsyncCallback.DataCallback) (rc, p, ctx, data, stat) -> done.accept(
                        rc == 0 ? new Result.Ok(p, text(data), stat.getVersion(), stat.getMzxid()) : error(rc)),
                null));
    }

    public CompletableFuture<Operation> setDataAsync(String path, String value, int expectedVersion) {
        OpKind kind = expectedVersion == -1 ? OpKind.WRITE : OpKind.CAS;
        return call(kind, path, value, expectedVersion, done -> zk.setData(path, bytes(value), expectedVersion,
                (AsyncCallback.StatCallback) (rc, p, ctx, stat) -> done.accept(
                        rc == 0 ? new Result.Ok(p, value, stat.getVersion(), stat.getMzxid()) : error(rc)),
                null));
    }

    public CompletableFuture<Operation> createAsync(String path, String value) {
        return createAsync(path, value, CreateMode.PERSISTENT);
    }

    public CompletableFuture<Operation> createSequentialAsync(String prefix, String value) {
        return createAsync(prefix, value, CreateMode.PERSISTENT_SEQUENTIAL);
    }

    /** Persistent modes only: the checker does not model ephemeral nodes or TTLs. */
    public CompletableFuture<Operation> createAsync(String path, String value, CreateMode mode) {
        OpKind kind = mode.isSequential() ? OpKind.CREATE_SEQUENTIAL : OpKind.CREATE;
        return call(kind, path, value, -1, done -> zk.create(path, bytes(value), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode,
                (AsyncCallback.Create2Callback) (rc, p, ctx, name, stat) -> done.accept(
                        rc == 0 ? new Result.Ok(name, value, stat.getVersion(), stat.getCzxid()) : error(rc)),
                null));
    }

    public CompletableFuture<Operation> deleteAsync(String path, int expectedVersion) {
        return call(OpKind.DELETE, path, null, expectedVersion, done -> zk.delete(path, expectedVersion,
                (AsyncCallback.VoidCallback) (rc, p, ctx) -> done.accept(
                        rc == 0 ? new Result.Ok(p, null, Result.UNKNOWN, Result.UNKNOWN) : error(rc)),
                null));
    }

    /** Records the invocation, sends the request and completes the future with the recorded operation. */
    private CompletableFuture<Operation> call(OpKind kind, String path, String value, int expectedVersion,
                                              Consumer<Consumer<Result>> send) {
        CompletableFuture<Operation> future = new CompletableFuture<>();
        synchronized (sendOrder) {
            HistoryRecorder.Pending pending =
                    recorder.invoke(process, zk.getSessionId(), kind, path, value, expectedVersion);
            Consumer<Result> done = result -> future.complete(recorder.complete(pending, result));
            try {
                send.accept(done);
            } catch (RuntimeException e) {
                // rejected before it was sent (e.g. an invalid path): it cannot have taken effect
                done.accept(new Result.Fail(KeeperException.Code.BADARGUMENTS));
            }
        }
        return future;
    }

    private Operation await(CompletableFuture<Operation> future) {
        try {
            return future.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no reply within " + replyTimeout + "; the operation stays open", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a reply", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Result error(int rc) {
        return Result.ofError(KeeperException.Code.get(rc));
    }

    private static byte[] bytes(String value) {
        return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] data) {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }
}
