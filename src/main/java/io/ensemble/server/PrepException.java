package io.ensemble.server;

/** A write refused during preparation, with the ZooKeeper error code the client gets. */
final class PrepException extends Exception {
    final int err;

    PrepException(int err) {
        super(null, null, false, false);
        this.err = err;
    }
}
