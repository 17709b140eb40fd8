package io.ensemble.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process TCP proxy on loopback (it listens on a free 127.0.0.1 port and forwards every connection to
 * {@code 127.0.0.1:targetPort}), for network faults between servers:
 * <ul>
 * <li>{@link #cut()}: every proxied connection is closed and new ones are refused (accepted, then closed at once)
 * — a link that is down and says so;</li>
 * <li>{@link #blackhole()}: connections stay open but no byte moves in either direction, and a connection made
 * meanwhile is held (its target is not even dialled) — a silent link, as a partition looks to TCP. Bytes stay
 * queued in the proxy and the kernel buffers, so a sender's writes eventually block as they would;</li>
 * <li>{@link #blackholeToTarget()} / {@link #blackholeToClient()}: the same for one direction only (bytes from the
 * dialler to the target, or back), the other keeps flowing — a one-way partition; a connection made meanwhile is
 * held as in a full blackhole, since TCP cannot open a connection over a one-way link;</li>
 * <li>{@link #delay(long)}: every chunk is forwarded that many milliseconds after the proxy read it (order kept);</li>
 * <li>{@link #restore()}: back to plain forwarding, no delay. Connections that survived a blackhole carry on with
 * what was queued (TCP retransmits once a partition heals); where an end has meanwhile closed its socket, the
 * pair is torn down when the proxy finds out.</li>
 * </ul>
 * Limitation of a user-space proxy: a dial to the proxy always connects; when the target does not accept, the
 * dialler sees the connection close right away instead of "connection refused".
 */
public final class LoopbackProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoopbackProxy.class.getName());
    private static final int CHUNK = 64 * 1024;

    private final String name;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    /** Guards the fault state below; waiters on it are woken by every change. */
    private final Object state = new Object();
    private boolean cut;
    /** Bytes from the dialler to the target are held. */
    private boolean holdToTarget;
    /** Bytes from the target back to the dialler are held. */
    private boolean holdToClient;
    private long delayNanos;
    private volatile boolean closed;

    public LoopbackProxy(int targetPort) throws IOException {
        this("proxy->" + targetPort, targetPort);
    }

    public LoopbackProxy(String name, int targetPort) throws IOException {
        this.name = name;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name(name + "-accept").start(this::acceptLoop);
    }

    /** The port the proxy listens on (127.0.0.1). */
    public int port() {
        return listener.getLocalPort();
    }

    public int targetPort() {
        return targetPort;
    }

    public String name() {
        return name;
    }

    /** Connections being proxied now (held ones included). */
    public int connections() {
        return pairs.size();
    }

    /** Closes every proxied connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        synchronized (state) {
            cut = true;
            state.notifyAll();
        }
        pairs.forEach(Pair::close);
    }

    /** Stops forwarding in both directions, keeping connections open, until {@link #restore()}. */
    public void blackhole() {
        hold(true, true);
    }

    /** Stops forwarding what the dialler sends (its peer hears nothing), until {@link #restore()}. */
    public void blackholeToTarget() {
        hold(true, false);
    }

    /** Stops forwarding what the target sends back (the dialler hears nothing), until {@link #restore()}. */
    public void blackholeToClient() {
        hold(false, true);
    }

    private void hold(boolean toTarget, boolean toClient) {
        synchronized (state) {
            holdToTarget |= toTarget;
            holdToClient |= toClient;
            state.notifyAll();
        }
    }

    /** Forwards every chunk read from now on {@code millis} later (0: no delay). */
    public void delay(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("negative delay " + millis);
        }
        synchronized (state) {
            delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
            state.notifyAll();
        }
    }

    /** Plain forwarding again: not cut, not blackholed, no delay. */
    public void restore() {
        synchronized (state) {
            cut = false;
            holdToTarget = false;
            holdToClient = false;
            delayNanos = 0;
            state.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // the acceptor ends either way
        }
        synchronized (state) {
            state.notifyAll();
        }
        pairs.forEach(Pair::close);
    }

    @Override
    public String toString() {
        return name + "(:" + port() + " -> :" + targetPort + ")";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, name + ": accept failed", e);
                }
                return;
            }
            boolean refuse;
            synchronized (state) {
                refuse = cut || closed;
            }
            if (refuse) {
                quietClose(client);
                continue;
            }
            Pair p = new Pair(client);
            pairs.add(p);
            Thread.ofVirtual().name(name + "-open").start(p::open);
        }
    }

    /**
     * Waits while {@code direction} (null: either, as for opening a connection) is held; false if the pair closed
     * meanwhile (or the link is cut/closed), in which case nothing may be forwarded.
     */
    private boolean awaitFlowing(Pair p, Boolean toTarget) {
        synchronized (state) {
            while (held(toTarget) && !cut && !closed && !p.closed) {
                try {
                    state.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !cut && !closed && !p.closed;
        }
    }

    private boolean held(Boolean toTarget) {
        if (toTarget == null) {
            return holdToTarget || holdToClient;
        }
        return toTarget ? holdToTarget : holdToClient;
    }

    private long currentDelayNanos() {
        synchronized (state) {
            return delayNanos;
        }
    }

    private static void quietClose(Socket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** A chunk of bytes to forward no earlier than {@code due}; null bytes mark the end of the stream. */
    private record Chunk(byte[] bytes, long due, boolean abort) {
        static final Chunk ABORT = new Chunk(null, 0, true);
    }

    /** One proxied connection: the accepted client socket and the socket to the target. */
    private final class Pair {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean closed;
        private final Direction toTarget = new Direction(true);
        private final Direction toClient = new Direction(false);
        private int finished;

        Pair(Socket client) {
            this.client = client;
        }

        /** Dials the target once the link lets bytes through, then starts both directions. */
        void open() {
            if (!awaitFlowing(this, null)) {
                close();
                return;
            }
            Socket up = new Socket();
            try {
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                up.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
            } catch (IOException e) {
                quietClose(up);
                close(); // the target is down: the dialler sees its connection end at once
                return;
            }
            upstream = up;
            if (closed) { // cut while dialling
                quietClose(up);
                return;
            }
            toTarget.start(client, up);
            toClient.start(up, client);
        }

        synchronized void directionDone() {
            if (++finished == 2) {
                close();
            }
        }

        void close() {
            closed = true;
            pairs.remove(this);
            quietClose(client);
            quietClose(upstream);
            toTarget.queue.offer(Chunk.ABORT);
            toClient.queue.offer(Chunk.ABORT);
            synchronized (state) {
                state.notifyAll();
            }
        }

        /** One direction: a reader that stamps chunks with their due time and a writer that sends them then. */
        private final class Direction {
            final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            /** True for the dialler's bytes to the target, false for the replies. */
            private final boolean towardsTarget;

            Direction(boolean towardsTarget) {
                this.towardsTarget = towardsTarget;
            }

            void start(Socket from, Socket to) {
                Thread.ofVirtual().name(name + "-read").start(() -> read(from));
                Thread.ofVirtual().name(name + "-write").start(() -> write(to));
            }

            private void read(Socket from) {
                byte[] buf = new byte[CHUNK];
                try {
                    InputStream in = from.getInputStream();
                    while (awaitFlowing(Pair.this, towardsTarget)) {
                        int n = in.read(buf);
                        long due = System.nanoTime() + currentDelayNanos();
                        if (n < 0) {
                            queue.put(new Chunk(null, due, false));
                            return;
                        }
                        queue.put(new Chunk(Arrays.copyOf(buf, n), due, false));
                    }
                } catch (IOException e) {
                    queue.offer(Chunk.ABORT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    queue.offer(Chunk.ABORT);
                }
            }

            private void write(Socket to) {
                try {
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        Chunk c = queue.take();
                        if (c.abort()) {
                            close();
                            return;
                        }
                        long wait = c.due() - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait); // the configured latency itself
                        }
                        if (!awaitFlowing(Pair.this, towardsTarget)) {
                            close();
                            return;
                        }
                        if (c.bytes() == null) {
                            to.shutdownOutput();
                            directionDone();
                            return;
                        }
                        out.write(c.bytes());
                        out.flush();
                    }
                } catch (IOException e) {
                    close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                }
            }
        }
    }
}
