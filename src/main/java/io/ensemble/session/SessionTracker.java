package io.ensemble.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Sessions and their expiry, in tick-wide buckets as ZooKeeper keeps them: a session expires at the first bucket
 * boundary after its last touch plus its timeout. Touches come from connection threads, so the maps are
 * concurrent; expiry is polled by one thread.
 */
public final class SessionTracker {
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final Map<Long, Set<Session>> buckets = new ConcurrentHashMap<>();
    private final int tickTime;
    private final LongSupplier clock;
    private long nextSessionId;
    private long nextExpiry;

    /** {@code clock} (milliseconds) both times expiry and seeds the session ids: for tests with a fake clock. */
    public SessionTracker(long serverId, int tickTime, LongSupplier clock) {
        this(serverId, tickTime, clock, clock.getAsLong());
    }

    /**
     * @param clock          monotonic milliseconds ({@link #monotonicMillis()}): expiry must not move when the wall
     *                       clock is set, or a jump forward would expire every session at once
     * @param wallMillisNow  the wall clock now, only to seed session ids (unique across restarts, as ZooKeeper's)
     */
    public SessionTracker(long serverId, int tickTime, LongSupplier clock, long wallMillisNow) {
        this.tickTime = tickTime;
        this.clock = clock;
        this.nextSessionId = initialSessionId(serverId, wallMillisNow);
        this.nextExpiry = roundToBucket(clock.getAsLong());
    }

    /** Milliseconds of {@link System#nanoTime()}: the clock session expiry runs on. */
    public static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** ZooKeeper's layout: server id in the top byte, the start-up time in milliseconds below it. */
    static long initialSessionId(long serverId, long nowMillis) {
        return ((nowMillis << 24) >>> 8) | (serverId << 56);
    }

    /** The password a session id gets; deterministic so that any server of an ensemble can check it. */
    public static byte[] passwordFor(long sessionId) {
        byte[] pw = new byte[16];
        new Random(sessionId ^ 0xB3415C00L).nextBytes(pw);
        return pw;
    }

    /** Reserves the next session id (called when a createSession transaction is prepared). */
    public synchronized long nextSessionId() {
        long id = nextSessionId++;
        if (id == Long.MIN_VALUE) {
            id = nextSessionId++;
        }
        return id;
    }

    /** Registers a session (when its createSession transaction is applied). */
    public Session add(long id, int timeout) {
        Session s = new Session(id, timeout, passwordFor(id));
        sessions.put(id, s);
        touch(s);
        return s;
    }

    public Session get(long id) {
        return sessions.get(id);
    }

    public Collection<Session> all() {
        return List.copyOf(sessions.values());
    }

    public int count() {
        return sessions.size();
    }

    public boolean checkPassword(Session s, byte[] password) {
        return password != null && Arrays.equals(passwordFor(s.id()), password);
    }

    /** Moves a live session's deadline forward; a closing session stays where it is. */
    public boolean touch(Session s) {
        if (s.isClosing()) {
            return false;
        }
        long newExpiry = roundToBucket(clock.getAsLong() + s.timeout());
        long old = s.expiresAt;
        if (newExpiry == old) {
            return true;
        }
        buckets.computeIfAbsent(newExpiry, t -> ConcurrentHashMap.newKeySet()).add(s);
        s.expiresAt = newExpiry;
        if (old != 0) {
            Set<Session> prev = buckets.get(old);
            if (prev != null) {
                prev.remove(s);
            }
        }
        return true;
    }

    /** Marks a session closing so no more writes are accepted and touches are ignored. */
    public void setClosing(Session s) {
        s.markClosing();
    }

    public void remove(long id) {
        Session s = sessions.remove(id);
        if (s != null) {
            Set<Session> b = buckets.get(s.expiresAt);
            if (b != null) {
                b.remove(s);
            }
        }
    }

    /** Forgets every session (the data is being rebuilt from disk or from a leader's snapshot). */
    public void clear() {
        sessions.clear();
        buckets.clear();
    }

    /** Milliseconds until the next bucket is due (0 if due now). */
    public long millisToNextExpiry() {
        return Math.max(0, nextExpiry - clock.getAsLong());
    }

    /** Takes every session whose bucket is due, marks it closing, and returns it. */
    public List<Session> pollExpired() {
        long now = clock.getAsLong();
        List<Session> out = new ArrayList<>();
        while (nextExpiry <= now) {
            Set<Session> due = buckets.remove(nextExpiry);
            if (due != null) {
                for (Session s : due) {
                    if (s.expiresAt <= now) {
                        s.markClosing();
                        out.add(s);
                    }
                }
            }
            nextExpiry += tickTime;
        }
        return out;
    }

    private long roundToBucket(long time) {
        return (time / tickTime + 1) * tickTime;
    }
}
