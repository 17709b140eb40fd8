package io.ensemble.storage;

/** A storage problem that must stop the server; the message is one line for the operator. */
public final class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
