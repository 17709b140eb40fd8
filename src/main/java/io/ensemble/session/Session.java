package io.ensemble.session;

/** A client session: lives across connections until closed or expired. */
public final class Session {
    private final long id;
    private final int timeout;
    private final byte[] password;
    /** The tick bucket this session currently expires in; moved forward by every touch. */
    volatile long expiresAt;
    private volatile boolean closing;
    /** The connection that owns the session now, or null between connections. */
    private volatile Object owner;

    Session(long id, int timeout, byte[] password) {
        this.id = id;
        this.timeout = timeout;
        this.password = password;
    }

    public long id() {
        return id;
    }

    public int timeout() {
        return timeout;
    }

    public byte[] password() {
        return password.clone();
    }

    public boolean isClosing() {
        return closing;
    }

    void markClosing() {
        closing = true;
    }

    public Object owner() {
        return owner;
    }

    public void owner(Object connection) {
        owner = connection;
    }

    public long expiresAt() {
        return expiresAt;
    }
}
